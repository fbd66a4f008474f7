// The streaming request body API: a body fed in segments (as the proxy holds it, an mbuf
// chain) must give the verdicts of the same body in one piece, and SecRequestBodyLimit must
// hold while segments arrive (Reject answers at once, ProcessPartial inspects the head).
#include <gtest/gtest.h>

#include "ravelin/waf/engine.h"
#include "ravelin/waf/seclang.h"

namespace ravelin::waf {
namespace {

struct streaming_fixture {
  std::unique_ptr<waf_engine> engine;
  std::unique_ptr<transaction> tx;
  std::vector<http_header> headers;
  http_request req;

  streaming_fixture(std::string_view rules, bool hyperscan) {
    auto r = load_rules_text(
        std::string("SecRuleEngine On\nSecRequestBodyAccess On\n") + std::string(rules), "t.conf");
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    engine = std::make_unique<waf_engine>(r.rules, engine_options{hyperscan});
    tx = std::make_unique<transaction>(*engine);
    req.method = "POST";
    req.uri = "/submit";
    req.protocol = "HTTP/1.1";
    req.remote_addr = "198.18.0.1";
  }
  // The body cut into pieces of `piece` bytes; returns the final verdict.
  verdict stream(std::string_view body, size_t piece) {
    req.headers = headers;
    req.body = {};
    verdict v = tx->process_request_headers(req, "uid-s");
    for (size_t i = 0; i < body.size(); i += piece)
      v = tx->append_request_body(body.substr(i, piece));
    v = tx->process_request_body();
    return v;
  }
  std::vector<int64_t> ids() const {
    std::vector<int64_t> out;
    for (const auto& m : tx->matches()) out.push_back(m.id);
    return out;
  }
};

constexpr const char* k_rules =
    "SecRule ARGS \"@rx <script\" \"id:1,phase:2,pass,t:lowercase,setvar:tx.score=+5\"\n"
    "SecRule REQUEST_BODY \"@contains wordsplit\" \"id:2,phase:2,pass\"\n"
    "SecRule FILES_NAMES \"@rx \\.php$\" \"id:3,phase:2,pass\"\n"
    "SecRule REQUEST_BODY_LENGTH \"@gt 0\" "
    "\"id:4,phase:2,pass,nolog,setvar:tx.len=%{REQUEST_BODY_LENGTH}\"\n"
    "SecRule INBOUND_DATA_ERROR \"@eq 1\" \"id:5,phase:2,pass\"\n";

TEST(streaming_body, segments_give_the_verdicts_of_one_piece) {
  const std::string form =
      "a=1&q=%3CSCRIPT%3Ealert(1)&note=wordsplit+across&z=" + std::string(300, 'x');
  const std::string mp =
      "--B\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n<Script>x\r\n"
      "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"shell.php\"\r\n"
      "Content-Type: text/plain\r\n\r\n<?php echo 1; ?>\r\n--B--\r\n";
  for (const bool hs : {false, true}) {
    streaming_fixture f(k_rules, hs);
    struct shape {
      std::string_view ct, body;
    };
    for (const shape& sh : {shape{"application/x-www-form-urlencoded", form},
                            shape{"multipart/form-data; boundary=B", mp}}) {
      f.headers = {{"Content-Type", sh.ct}};
      f.stream(sh.body, sh.body.size());
      const auto whole = f.ids();
      const std::string score(f.tx->tx("score")), len(f.tx->tx("len"));
      ASSERT_FALSE(whole.empty());
      EXPECT_EQ(len, std::to_string(sh.body.size()));
      // Pieces of 1, 3 and 7 bytes cut every token ("<script", "wordsplit", boundaries).
      for (const size_t piece : {1u, 3u, 7u, 64u}) {
        f.stream(sh.body, piece);
        EXPECT_EQ(f.ids(), whole) << hs << " piece " << piece;
        EXPECT_EQ(f.tx->tx("score"), score) << piece;
        EXPECT_EQ(f.tx->tx("len"), len) << piece;
      }
    }
  }
}

TEST(streaming_body, limit_reject_answers_while_the_body_arrives) {
  streaming_fixture f(
      std::string("SecRequestBodyLimit 100\nSecRequestBodyLimitAction Reject\n") + k_rules, true);
  f.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  f.req.headers = f.headers;
  f.tx->process_request_headers(f.req, "uid-r");
  const std::string piece(60, 'a');
  EXPECT_EQ(f.tx->append_request_body(piece).action, verdict_action::pass);
  const verdict v = f.tx->append_request_body(piece);  // 120 > 100: rejected at once
  EXPECT_EQ(v.action, verdict_action::deny);
  EXPECT_EQ(v.status, 413);
  EXPECT_EQ(f.tx->append_request_body("q=<script>").action, verdict_action::deny);
  EXPECT_EQ(f.tx->process_request_body().status, 413);
  EXPECT_TRUE(f.ids().empty());  // phase 2 never ran
  EXPECT_EQ(f.tx->counters().body_limit_exceeded, 1u);
}

TEST(streaming_body, limit_process_partial_inspects_the_head_only) {
  streaming_fixture f(
      std::string("SecRequestBodyLimit 40\nSecRequestBodyLimitAction ProcessPartial\n") + k_rules,
      false);
  f.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  // The attack sits past byte 40: not inspected. The length still counts every byte offered.
  const std::string late = "a=" + std::string(40, 'b') + "&q=<script>";
  EXPECT_EQ(f.stream(late, 16).action, verdict_action::pass);
  EXPECT_EQ(f.ids(), std::vector<int64_t>{5});  // only INBOUND_DATA_ERROR
  EXPECT_EQ(f.tx->tx("len"), std::to_string(late.size()));
  // Within the first 40 bytes it is found, however the pieces fall.
  const std::string early = "q=<script>&a=" + std::string(40, 'b');
  f.stream(early, 5);
  EXPECT_EQ(f.ids(), (std::vector<int64_t>{1, 5}));
}

TEST(streaming_body, body_access_off_skips_the_body) {
  streaming_fixture f(
      "SecRequestBodyAccess Off\nSecRule ARGS \"@rx x\" \"id:1,phase:2,pass\"\n"
      "SecRule REQUEST_BODY_LENGTH \"@eq 3\" \"id:2,phase:2,pass\"\n",
      false);
  f.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  f.stream("a=x", 1);
  EXPECT_EQ(f.ids(), std::vector<int64_t>{2});
}

}  // namespace
}  // namespace ravelin::waf
