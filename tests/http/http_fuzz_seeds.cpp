// Writes the HTTP fuzz target's seed corpus from the test samples and the smuggling table:
//   ninja http_fuzz_seeds && ./http_fuzz_seeds tests/fuzz/corpus/http_codec
// Each file is the fuzz input format of tests/fuzz/http_fuzz.cpp: option byte, cut seed, bytes.
#include <cstdio>
#include <fstream>
#include <string>

#include "http_vectors.h"

namespace {

namespace http = ravelin::http;

char option_byte(const http::test::harness_options& o) {
  int b = o.role == http::role::response ? 1 : 0;
  const http::method m = o.requests.empty() ? http::method::get : o.requests.front();
  b |= (m == http::method::head ? 1 : m == http::method::connect ? 2 : 0) << 1;
  b |= o.upgrade_requested ? 8 : 0;
  b |= o.accept_upgrade ? 32 : 0;
  return static_cast<char>(b);
}

void write(const std::string& dir, const std::string& name, char options, std::string_view in) {
  std::ofstream f(dir + "/" + name, std::ios::binary);
  f.put(options);
  f.put(static_cast<char>(name.size()));
  f.write(in.data(), static_cast<std::streamsize>(in.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  int n = 0;
  for (const auto& s : http::test::samples()) {
    write(argv[1], std::string("sample_") + s.name, option_byte(s.options), s.input);
    ++n;
  }
  for (const auto& v : http::test::smuggling_vectors()) {
    write(argv[1], std::string("refused_") + v.name, 32, v.input);
    ++n;
  }
  std::printf("wrote %d seeds\n", n);
  return 0;
}
