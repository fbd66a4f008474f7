// Collection store keys: var_store's hashing over every tail length.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "internal/arena.h"

namespace ravelin::waf {
namespace {

// Keys of every length from 0 to 40 that differ in one byte only (first, middle or last):
// lookups, removal and re-setting stay exact whatever the length of the hashed tail.
TEST(store_keys, every_tail_length_finds_its_own_entry) {
  detail::var_store st;
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 40; ++n) {
    const std::string base(n, 'k');
    keys.push_back(base);
    for (size_t at : {size_t{0}, n / 2, n ? n - 1 : 0}) {
      if (n == 0) break;
      std::string k = base;
      k[at] = 'q';
      keys.push_back(k);
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (const auto& k : keys) st.set(k, k);  // grows the index on the way
  for (const auto& k : keys) {
    const std::string_view* v = st.get(k);
    ASSERT_NE(v, nullptr) << k;
    EXPECT_EQ(*v, k);
  }
  st.remove(keys[5]);
  EXPECT_EQ(st.get(keys[5]), nullptr);
  EXPECT_NE(st.get(keys[6]), nullptr);
  st.set(keys[5], "again");
  ASSERT_NE(st.get(keys[5]), nullptr);
  EXPECT_EQ(*st.get(keys[5]), "again");
  EXPECT_EQ(st.get("kkkkkkkkz"), nullptr);  // never set
}

}  // namespace
}  // namespace ravelin::waf
