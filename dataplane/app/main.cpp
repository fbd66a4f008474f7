// The `ravelin` appliance binary: command line, config loading, then the dataplane.
#include <cstdio>
#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "ravelin/dataplane/appliance.h"
#include "ravelin/mgmt/config.h"

namespace po = boost::program_options;

namespace {

// Loads a config, printing every problem as FILE:LINE:COL: message. Null when invalid.
std::shared_ptr<const ravelin::mgmt::config> load_or_report(const std::string& path) {
  auto result = ravelin::mgmt::load_config_file(path);
  for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  return result.ok() ? result.snapshot : nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("ravelin: kernel-bypass API gateway\n\nOptions");
  opts.add_options()("config", po::value<std::string>(),
                     "start the appliance with this config file")(
      "check-config", po::value<std::string>(), "validate a config file and exit (0 = valid)")(
      "probe", "print what this machine offers (CPU, NUMA, hugepages, ports of --config)")(
      "version", "print the version")("help", "print this help");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "ravelin: " << e.what() << "\n" << opts;
    return 2;
  }

  if (vm.count("help") != 0U) {
    std::cout << opts;
    return 0;
  }
  if (vm.count("version") != 0U) {
    std::printf("ravelin %s\n", RAVELIN_VERSION);
    return 0;
  }
  if (vm.count("check-config") != 0U) {
    const std::string path = vm["check-config"].as<std::string>();
    if (!load_or_report(path)) return 1;
    std::printf("%s: ok\n", path.c_str());
    return 0;
  }
  if (vm.count("probe") != 0U) {
    std::shared_ptr<const ravelin::mgmt::config> cfg;
    if (vm.count("config") != 0U && !(cfg = load_or_report(vm["config"].as<std::string>()))) {
      return 1;
    }
    return ravelin::dataplane::run_probe(cfg.get(), argv[0]);
  }
  if (vm.count("config") != 0U) {
    auto cfg = load_or_report(vm["config"].as<std::string>());
    if (!cfg) return 1;
    return ravelin::dataplane::run_appliance(cfg, argv[0]);
  }
  std::cerr << opts;
  return 2;
}
