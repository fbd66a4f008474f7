// The transformation memo kept across transactions: a slot answers only for the very bytes
// and chain it was filled with, and a transaction that finds a result there sees what it
// would have computed.
#include <gtest/gtest.h>

#include <string>

#include "internal/transform_memo.h"
#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {
namespace {

using detail::transform_memo;

// Every key below is given the same hash, so they all land in one slot.
constexpr uint64_t k_hash = 0x1234567;

struct memo_slot : ::testing::Test {
  transform_memo m;
  std::string_view out;
  bool same = true;
};

TEST_F(memo_slot, answers_only_for_the_bytes_and_chain_it_holds) {
  m.put(3, "Mozilla EVIL", k_hash, "mozilla evil", false);
  ASSERT_TRUE(m.find(3, "Mozilla EVIL", k_hash, out, same));
  EXPECT_EQ(out, "mozilla evil");
  EXPECT_FALSE(same);
  EXPECT_FALSE(m.find(3, "Mozilla EVIm", k_hash, out, same));   // last byte differs
  EXPECT_FALSE(m.find(3, "mozilla EVIL", k_hash, out, same));   // first byte differs
  EXPECT_FALSE(m.find(3, "Mozilla EVIL!", k_hash, out, same));  // longer
  EXPECT_FALSE(m.find(4, "Mozilla EVIL", k_hash, out, same));   // another chain
  EXPECT_FALSE(m.find(3, "Mozilla EVIL", k_hash + 1, out, same));
  m.put(3, "other bytes", k_hash, "x", false);                  // takes the slot over
  EXPECT_FALSE(m.find(3, "Mozilla EVIL", k_hash, out, same));
  ASSERT_TRUE(m.find(3, "other bytes", k_hash, out, same));
  EXPECT_EQ(out, "x");
}

TEST_F(memo_slot, unchanged_values_and_what_does_not_fit) {
  same = false;
  m.put(5, "plain", k_hash, "plain", true);
  ASSERT_TRUE(m.find(5, "plain", k_hash, out, same));
  EXPECT_TRUE(same);
  EXPECT_TRUE(transform_memo::eligible(std::string(transform_memo::k_room - 1, 'a')));
  EXPECT_FALSE(transform_memo::eligible(std::string(transform_memo::k_room, 'a')));
  EXPECT_FALSE(transform_memo::eligible(""));
  // Source and result together must fit: a hexEncode of 200 bytes does not.
  const std::string in(200, 'a'), hex(400, '6');
  m.put(6, in, k_hash + 2, hex, false);
  EXPECT_FALSE(m.find(6, in, k_hash + 2, out, same));
}

struct run_result {
  verdict v;
  std::vector<int64_t> ids;
  std::string data;
};

// One transaction object, requests one after another (as a connection's keep-alive requests
// are): results from the memo must give what the chain gives, on both evaluation paths.
class memo_across_requests : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto r = load_rules_text(
        "SecRuleEngine On\n"
        "SecRule REQUEST_HEADERS:User-Agent \"@rx evil!\" "
        "\"id:1,phase:1,deny,status:403,t:none,t:urlDecodeUni,t:lowercase,logdata:'%{MATCHED_VAR}'\"\n"
        "SecRule REQUEST_HEADERS:User-Agent \"@rx ^[0-9a-f]{40}$\" "
        "\"id:2,phase:1,pass,log,t:none,t:sha1,t:hexEncode,setvar:tx.ua_hash=%{MATCHED_VAR}\"\n",
        "memo.conf");
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    engine_ = std::make_unique<waf_engine>(r.rules, engine_options{GetParam()});
    tx_ = std::make_unique<transaction>(*engine_);
  }
  run_result run(std::string ua) {
    ua_ = std::move(ua);  // a new buffer each time: the memo cannot go by address
    headers_ = {{"Host", "api.example.com"}, {"User-Agent", ua_}};
    req_.method = "GET";
    req_.uri = "/";
    req_.protocol = "HTTP/1.1";
    req_.remote_addr = "198.18.0.1";
    req_.headers = headers_;
    run_result out;
    out.v = tx_->process_request(req_, "uid");
    for (const auto& m : tx_->matches()) out.ids.push_back(m.id);
    out.data = std::string(tx_->tx("ua_hash"));
    return out;
  }
  std::unique_ptr<waf_engine> engine_;
  std::unique_ptr<transaction> tx_;
  std::string ua_;
  std::vector<http_header> headers_;
  http_request req_;
};

TEST_P(memo_across_requests, remembered_results_equal_computed_ones) {
  const run_result first = run("Mozilla EVIL%21");
  EXPECT_EQ(first.v.action, verdict_action::deny);
  EXPECT_EQ(first.ids, std::vector<int64_t>{1});
  EXPECT_EQ(tx_->counters().transform_memo_hits, 0u);

  const run_result again = run(std::string("Mozilla EVIL%21"));
  EXPECT_GT(tx_->counters().transform_memo_hits, 0u);
  EXPECT_EQ(again.v.action, first.v.action);
  EXPECT_EQ(again.ids, first.ids);

  // Same length, one byte apart: its own chain result, not the remembered one.
  const run_result good = run("Mozilla EVIL%22");
  EXPECT_EQ(good.v.action, verdict_action::pass);
  EXPECT_EQ(good.ids, std::vector<int64_t>{2});
  EXPECT_EQ(good.data, "ceb82db108a783a03262fb2b942b813a46480823");  // sha1sum of the header's bytes
  const run_result good_again = run("Mozilla EVIL%22");
  EXPECT_EQ(good_again.ids, good.ids);
  EXPECT_EQ(good_again.data, good.data);

  EXPECT_EQ(run("Mozilla EVIL%21").v.action, verdict_action::deny);
}

// The operator memo (operator_eval.cpp, evaluate_remembered) answers "no match" for a link
// and bytes an earlier transaction found none in, on the speed path; a value one byte apart is
// evaluated, and a match is never remembered.
TEST(operator_memo, remembers_no_match_only) {
  auto r = load_rules_text(
      "SecRuleEngine On\n"
      "SecRule REQUEST_HEADERS:User-Agent \"@detectSQLi\" \"id:3,phase:1,deny,status:403\"\n",
      "memo.conf");
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  waf_engine engine(r.rules, engine_options{true});
  transaction tx(engine);
  std::string ua;
  std::vector<http_header> headers;
  http_request req;
  auto run = [&](std::string agent) {
    ua = std::move(agent);  // a new buffer each time: the memo cannot go by address
    headers = {{"User-Agent", ua}};
    req.method = "GET";
    req.uri = "/";
    req.protocol = "HTTP/1.1";
    req.headers = headers;
    return tx.process_request(req, "uid").action;
  };
  const std::string benign = "Mozilla/5.0 (X11; Linux x86_64) like Gecko";
  EXPECT_EQ(run(benign), verdict_action::pass);
  EXPECT_EQ(tx.counters().operator_memo_hits, 0u);
  EXPECT_EQ(run(benign), verdict_action::pass);
  EXPECT_EQ(tx.counters().operator_memo_hits, 1u);
  // The same length, an injection where the benign text was: evaluated, refused.
  std::string attack = benign;
  attack.replace(benign.size() - 10, 10, "' or 1=1--");
  ASSERT_EQ(attack.size(), benign.size());
  EXPECT_EQ(run(attack), verdict_action::deny);
  EXPECT_EQ(run(attack), verdict_action::deny);
  EXPECT_EQ(tx.counters().operator_memo_hits, 1u);  // counters add up over the object's requests
  EXPECT_EQ(run(benign), verdict_action::pass);
  EXPECT_EQ(tx.counters().operator_memo_hits, 2u);
}

INSTANTIATE_TEST_SUITE_P(paths, memo_across_requests, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "hyperscan" : "reference"; });

}  // namespace
}  // namespace ravelin::waf
