// kiosim: a teaching simulator of Linux kernel I/O paths.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "sim/cli/commands.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/suggest.h"

int main(int argc, char** argv) {
  CLI::App app{"kiosim: a teaching simulator of Linux kernel I/O paths.\n"
               "It counts every copy and every user/kernel crossing of read+write, mmap+write,\n"
               "sendfile and splice, times them on a discrete-event model of the machine, and\n"
               "explains where the time went.",
               "kiosim"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kiosim 0.1.0");
  app.footer("Examples:\n"
             "  kiosim compare scenarios/copy-table.yaml          the copy table\n"
             "  kiosim explain scenarios/copy-table.yaml --method sendfile\n"
             "  kiosim run scenarios/copy-table.yaml --method splice --json\n"
             "  kiosim keys                                       machine keys for --set\n"
             "  kiosim homework new course/01-copy-problem/homework.yaml --seed 1 -o hw.yaml\n"
             "Exit codes: 0 ok, 1 a check or a simulation failed, 2 bad input.");
  std::map<CLI::App*, kiosim::cli::Action> actions;
  auto add = [&](kiosim::cli::Action (*f)(CLI::App&)) {
    std::size_t before = app.get_subcommands({}).size();
    auto act = f(app);
    actions[app.get_subcommands({})[before]] = std::move(act);
  };
  add(kiosim::cli::add_run);
  add(kiosim::cli::add_compare);
  add(kiosim::cli::add_explain);
  add(kiosim::cli::add_keys);
  add(kiosim::cli::add_cache_replay);
  add(kiosim::cli::add_measure);
  add(kiosim::cli::add_calibrate);
  add(kiosim::cli::add_check);
  add(kiosim::cli::add_homework);
  add(kiosim::cli::add_export);
  add(kiosim::cli::add_sweep);
  // A mistyped command: say which one was meant (CLI11 would only ask for one).
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (auto* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::cerr << fmt::format("kiosim: unknown command `{}`{}\nRun `kiosim --help` for the commands.\n", argv[1],
                               kiosim::did_you_mean(argv[1], names, kiosim::expected_one_of(names)));
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  for (auto* sub : app.get_subcommands()) {
    try {
      return actions.at(sub)();
    } catch (const kiosim::InputError& e) {
      std::cerr << e.what() << "\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "kiosim: " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}
