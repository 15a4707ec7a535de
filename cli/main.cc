// The reviewsim executable: parses the command line and runs one subcommand, mapping errors to
// the exit codes in cli/common.h.

#include <iostream>
#include <map>

#include <CLI/CLI.hpp>

#include "adapters/scenario_file.h"
#include "adapters/trace_file.h"
#include "cli/commands.h"
#include "cli/common.h"

int main(int argc, char** argv) {
  using namespace reviewsim::cli;

  CLI::App app("reviewsim: a deterministic concurrency simulator for the persistence of a "
               "multi-user review app. Exit codes: 0 no anomaly, 1 anomaly found or "
               "expectation missed, 2 invalid usage or input, 3 environment failure.",
               "reviewsim");
  app.require_subcommand(1);
  std::map<std::string, CommandRunner> runners;
  runners["compare"] = add_compare_command(app);
  runners["run"] = add_run_command(app);
  runners["replay"] = add_replay_command(app);
  runners["shrink"] = add_shrink_command(app);
  runners["explore"] = add_explore_command(app);
  runners["migrate"] = add_migrate_command(app);
  runners["gate"] = add_gate_command(app);
  runners["report"] = add_report_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }

  try {
    for (CLI::App* command : app.get_subcommands()) return runners.at(command->get_name())();
  } catch (const reviewsim::ScenarioError& error) {
    std::cerr << "reviewsim: " << error.what() << "\n";
    return kExitUsage;
  } catch (const reviewsim::TraceError& error) {
    std::cerr << "reviewsim: " << error.what() << "\n";
    return kExitUsage;
  } catch (const UsageError& error) {
    std::cerr << "reviewsim: " << error.what() << "\n";
    return kExitUsage;
  } catch (const EnvironmentError& error) {
    std::cerr << "reviewsim: " << error.what() << "\n";
    return kExitEnvironment;
  }
  return kExitUsage;
}
