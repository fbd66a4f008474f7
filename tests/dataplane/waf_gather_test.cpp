// The waf lane's response gathering (waf_plugin.h): which held bytes phase 4 gets, framed by
// Content-Length or chunked, within SecResponseBodyLimit and the proxy's own hold bound; and
// what a refused answer leaves for the link (`whole`). The held bytes come as an mbuf chain
// cut wherever a test likes, as TCP delivers them.
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include <deque>
#include <string>
#include <vector>

#include "proxy/waf_plugin.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::dataplane::proxy {
namespace {

const char* const k_rules =
    "SecRuleEngine On\nSecResponseBodyAccess On\n"
    "SecRule RESPONSE_BODY \"@contains leak\" \"id:1,phase:4,deny,status:403\"\n";

// An rx_view over `pieces`, one mbuf each (only the fields rx_view reads are set).
class held_bytes {
 public:
  explicit held_bytes(std::vector<std::string> pieces) : data_(std::move(pieces)) {
    mbufs_.resize(data_.size());
    for (size_t i = 0; i < data_.size(); ++i) {
      rte_mbuf& m = mbufs_[i];
      m.buf_addr = data_[i].data();
      m.data_off = 0;
      m.data_len = static_cast<uint16_t>(data_[i].size());
      m.next = i + 1 < data_.size() ? &mbufs_[i + 1] : nullptr;
    }
  }
  tcpstack::rx_view view() const {
    tcpstack::rx_view v;
    v.first = mbufs_.empty() ? nullptr : &mbufs_[0];
    for (const auto& d : data_) v.length += static_cast<uint32_t>(d.size());
    return v;
  }

 private:
  std::vector<std::string> data_;
  std::vector<rte_mbuf> mbufs_;
};

struct lane_fixture {
  waf_binding binding;
  counter_set counters{};
  std::unique_ptr<waf_lane> lane;
  std::vector<http::header_field> req_fields{{"Host", "x"}};
  std::vector<http::header_field> resp_fields{{"Content-Type", "text/html"}};
  http::message_head req, resp;
  waf_slot* slot = nullptr;

  explicit lane_fixture(const std::string& extra) {
    auto r = waf::load_rules_text(k_rules + extra, "t.conf");
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    waf_binding::instance inst;
    inst.engine = std::make_unique<waf::waf_engine>(r.rules, waf::engine_options{true});
    inst.inspects_responses = true;
    binding.instances.push_back(std::move(inst));
    binding.global = 0;
    lane = std::make_unique<waf_lane>(binding, 2, 1024, 16, 0, 1, nullptr, counters);
    req.method = http::method::get;
    req.method_token = "GET";
    req.target = "/page";
    req.fields = req_fields;
    resp.status = 200;
    resp.fields = resp_fields;
  }
  // A GET that passes, its slot kept for the response.
  void start() {
    const std::string head = "GET /page HTTP/1.1\r\nHost: x\r\n\r\n";
    const waf_decision d = lane->start(0, req, head.data(), static_cast<uint32_t>(head.size()),
                                       0xc6120001, false, &slot);
    ASSERT_FALSE(d.block);
    ASSERT_NE(slot, nullptr);
  }
  void chunked() { resp.framing = http::body_framing::chunked; }
  void until_close() { resp.framing = http::body_framing::until_close; }
  void length(uint64_t n) {
    resp.framing = http::body_framing::length;
    resp.content_length = n;
  }
  uint64_t unread() const { return counters.get(counter::waf_response_bodies_unread); }
  uint64_t partial() const { return counters.get(counter::waf_response_bodies_partial); }
};

TEST(waf_gather, chunked_body_cut_anywhere_is_gathered_whole) {
  lane_fixture f("");
  f.start();
  f.chunked();
  ASSERT_TRUE(f.lane->want_response_body(*f.slot, f.resp, false, 4096));
  const std::string raw = "5;ext=\"a b\"\r\nhello\r\n6\r\n, leak\r\n0\r\nX-Trailer: 1\r\n\r\n";
  // Growing prefixes of the same bytes, as segments arrive; lines and data cut mid-way.
  for (const size_t cut : {3u, 12u, 19u, 30u, 40u}) {
    const held_bytes some({raw.substr(0, cut / 2), raw.substr(cut / 2, cut - cut / 2)});
    EXPECT_FALSE(f.lane->gather_response_body(*f.slot, some.view(), false)) << cut;
  }
  const held_bytes all({raw.substr(0, 7), raw.substr(7, 9), raw.substr(16)});
  ASSERT_TRUE(f.lane->gather_response_body(*f.slot, all.view(), false));
  EXPECT_EQ(f.slot->resp_body, "hello, leak");
  uint32_t whole = 0;
  const waf_decision d = f.lane->response(*f.slot, f.resp, &whole);
  EXPECT_TRUE(d.block);
  EXPECT_EQ(whole, raw.size());  // trailers and all: the link may carry the next exchange
  EXPECT_EQ(f.unread(), 0u);
}

TEST(waf_gather, bad_framing_and_truncation_give_up_the_body) {
  lane_fixture f("");
  struct gave_up_case {
    const char* what;
    std::string raw;
    bool eof;
  };
  const std::vector<gave_up_case> cases{
      {"not hex", "zz\r\nleak\r\n0\r\n\r\n", false},
      {"origin closed early", "10\r\nleak", true},
  };
  for (const auto& c : cases) {
    f.start();
    f.chunked();
    ASSERT_TRUE(f.lane->want_response_body(*f.slot, f.resp, false, 512));
    const uint64_t before = f.unread();
    const held_bytes held({c.raw});
    ASSERT_TRUE(f.lane->gather_response_body(*f.slot, held.view(), c.eof)) << c.what;
    uint32_t whole = 7;
    EXPECT_FALSE(f.lane->response(*f.slot, f.resp, &whole).block) << c.what;  // no body seen
    EXPECT_EQ(whole, 0u) << c.what;
    EXPECT_EQ(f.unread(), before + 1) << c.what;
  }
  EXPECT_EQ(f.partial(), 0u);
}

// Past the hold bound phase 4 judges the start: a leak in it is refused, one past it is not
// seen; either way the link cannot be kept, the rest being still to come.
TEST(waf_gather, past_the_hold_bound_phase_4_judges_the_start) {
  lane_fixture f("");
  const std::string filler(1024, 'a');
  struct cut_case {
    const char* what;
    bool chunked;
    std::string raw;
    bool block;
  };
  const std::vector<cut_case> cases{
      {"chunked, leak first", true, "408\r\nleak" + filler + "\r\n0\r\n\r\n", true},
      {"chunked, leak late", true, "404\r\n" + filler + "leak\r\n0\r\n\r\n", false},
      {"length, leak first", false, "leak" + filler, true},
      {"length, leak late", false, filler + "leak", false},
  };
  for (const auto& c : cases) {
    f.start();
    c.chunked ? f.chunked() : f.length(c.raw.size());
    const uint64_t before = f.partial();
    ASSERT_TRUE(f.lane->want_response_body(*f.slot, f.resp, false, 512)) << c.what;
    // Only the first 512 raw bytes are waited for.
    if (!c.chunked) {
      const held_bytes some({c.raw.substr(0, 511)});
      EXPECT_FALSE(f.lane->gather_response_body(*f.slot, some.view(), false)) << c.what;
    }
    const held_bytes enough({c.raw.substr(0, 600)});
    ASSERT_TRUE(f.lane->gather_response_body(*f.slot, enough.view(), false)) << c.what;
    EXPECT_LE(f.slot->resp_body.size(), 600u) << c.what;
    uint32_t whole = 7;
    EXPECT_EQ(f.lane->response(*f.slot, f.resp, &whole).block, c.block) << c.what;
    EXPECT_EQ(whole, 0u) << c.what;
    EXPECT_EQ(f.partial(), before + 1) << c.what;
  }
  EXPECT_EQ(f.unread(), 0u);
}

TEST(waf_gather, content_length_waits_for_the_whole_body) {
  lane_fixture f("");
  f.start();
  f.length(9);
  ASSERT_TRUE(f.lane->want_response_body(*f.slot, f.resp, false, 4096));
  EXPECT_FALSE(f.lane->gather_response_body(*f.slot, held_bytes({"a le"}).view(), false));
  ASSERT_TRUE(
      f.lane->gather_response_body(*f.slot, held_bytes({"a le", "ak!!", "!"}).view(), false));
  uint32_t whole = 0;
  EXPECT_TRUE(f.lane->response(*f.slot, f.resp, &whole).block);
  EXPECT_EQ(whole, 9u);
  // With no room to hold anything, nothing is wanted: counted as unread.
  f.start();
  f.length(5000);
  EXPECT_FALSE(f.lane->want_response_body(*f.slot, f.resp, false, 0));
  EXPECT_EQ(f.unread(), 1u);
  uint32_t none = 7;
  EXPECT_FALSE(f.lane->response(*f.slot, f.resp, &none).block);
  EXPECT_EQ(none, 0u);
}

TEST(waf_gather, past_the_limit_phase_4_sees_the_start_or_refuses) {
  for (const bool chunked : {false, true}) {
    lane_fixture partial("SecResponseBodyLimit 8\nSecResponseBodyLimitAction ProcessPartial\n");
    const std::string body = "my leak and then much more";
    const std::string raw = chunked ? "1a\r\n" + body + "\r\n0\r\n\r\n" : body;
    partial.start();
    chunked ? partial.chunked() : partial.length(body.size());
    ASSERT_TRUE(partial.lane->want_response_body(*partial.slot, partial.resp, false, 4096));
    // Only the first 8 bytes are waited for: the rest need not have arrived.
    const held_bytes start({raw.substr(0, chunked ? 14 : 8)});
    ASSERT_TRUE(partial.lane->gather_response_body(*partial.slot, start.view(), false)) << chunked;
    EXPECT_EQ(partial.slot->resp_body.substr(0, 8), "my leak ");
    uint32_t whole = 7;
    EXPECT_TRUE(partial.lane->response(*partial.slot, partial.resp, &whole).block) << chunked;
    EXPECT_EQ(whole, 0u);  // the rest is still to come: the link cannot be reused

    lane_fixture reject("SecResponseBodyLimit 8\nSecResponseBodyLimitAction Reject\n");
    reject.start();
    chunked ? reject.chunked() : reject.length(body.size());
    const std::string clean = "no secrets past the limit";
    const std::string clean_raw = chunked ? "19\r\n" + clean + "\r\n0\r\n\r\n" : clean;
    ASSERT_TRUE(reject.lane->want_response_body(*reject.slot, reject.resp, false, 4096));
    ASSERT_TRUE(
        reject.lane->gather_response_body(*reject.slot, held_bytes({clean_raw}).view(), false));
    const waf_decision d = reject.lane->response(*reject.slot, reject.resp, &whole);
    EXPECT_TRUE(d.block) << chunked;
    EXPECT_EQ(d.status, 403);
  }
}

// RFC 9112 §6.3: a body without Content-Length or chunked coding ends at the close. It is
// held until then or the hold bound; past the bound phase 4 judges the start.
TEST(waf_gather, until_close_body_is_held_to_the_close_or_the_bound) {
  lane_fixture f("");
  f.start();
  f.until_close();
  ASSERT_TRUE(f.lane->want_response_body(*f.slot, f.resp, false, 512));
  EXPECT_FALSE(f.lane->gather_response_body(*f.slot, held_bytes({"a le", "ak"}).view(), false));
  ASSERT_TRUE(f.lane->gather_response_body(*f.slot, held_bytes({"a le", "ak"}).view(), true));
  EXPECT_EQ(f.slot->resp_body, "a leak");
  uint32_t whole = 7;
  EXPECT_TRUE(f.lane->response(*f.slot, f.resp, &whole).block);
  EXPECT_EQ(whole, 0u);  // the link ends with the body
  EXPECT_EQ(f.partial(), 0u);

  const std::string filler(1024, 'a');
  for (const auto& [raw, block] :
       {std::pair{"leak" + filler, true}, std::pair{filler + "leak", false}}) {
    f.start();
    f.until_close();
    ASSERT_TRUE(f.lane->want_response_body(*f.slot, f.resp, false, 512));
    EXPECT_FALSE(
        f.lane->gather_response_body(*f.slot, held_bytes({raw.substr(0, 511)}).view(), false));
    ASSERT_TRUE(
        f.lane->gather_response_body(*f.slot, held_bytes({raw.substr(0, 600)}).view(), false));
    EXPECT_EQ(f.slot->resp_body.size(), 512u);
    EXPECT_EQ(f.lane->response(*f.slot, f.resp, &whole).block, block);
  }
  EXPECT_EQ(f.partial(), 2u);
  // No room to hold anything: not wanted, counted as unread.
  f.start();
  f.until_close();
  EXPECT_FALSE(f.lane->want_response_body(*f.slot, f.resp, false, 0));
  EXPECT_EQ(f.unread(), 1u);
  EXPECT_FALSE(f.lane->response(*f.slot, f.resp, &whole).block);
}

TEST(waf_gather, until_close_past_the_limit_sees_the_start_or_refuses) {
  lane_fixture partial("SecResponseBodyLimit 8\nSecResponseBodyLimitAction ProcessPartial\n");
  partial.start();
  partial.until_close();
  ASSERT_TRUE(partial.lane->want_response_body(*partial.slot, partial.resp, false, 4096));
  // Nine bytes show the body goes past the limit: nothing more is waited for.
  EXPECT_FALSE(
      partial.lane->gather_response_body(*partial.slot, held_bytes({"my leak "}).view(), false));
  ASSERT_TRUE(
      partial.lane->gather_response_body(*partial.slot, held_bytes({"my leak a"}).view(), false));
  uint32_t whole = 7;
  EXPECT_TRUE(partial.lane->response(*partial.slot, partial.resp, &whole).block);
  EXPECT_EQ(partial.partial(), 0u);  // past the limit, not the hold

  lane_fixture reject("SecResponseBodyLimit 8\nSecResponseBodyLimitAction Reject\n");
  reject.start();
  reject.until_close();
  ASSERT_TRUE(reject.lane->want_response_body(*reject.slot, reject.resp, false, 4096));
  ASSERT_TRUE(reject.lane->gather_response_body(*reject.slot,
                                                held_bytes({"no secrets here"}).view(), false));
  const waf_decision d = reject.lane->response(*reject.slot, reject.resp, &whole);
  EXPECT_TRUE(d.block);
  EXPECT_EQ(d.status, 403);
  // Within the limit, a clean body that ends at the close passes.
  reject.start();
  reject.until_close();
  ASSERT_TRUE(reject.lane->want_response_body(*reject.slot, reject.resp, false, 4096));
  ASSERT_TRUE(reject.lane->gather_response_body(*reject.slot, held_bytes({"clean"}).view(), true));
  EXPECT_FALSE(reject.lane->response(*reject.slot, reject.resp, &whole).block);
}

}  // namespace
}  // namespace ravelin::dataplane::proxy
