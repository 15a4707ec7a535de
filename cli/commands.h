#pragma once

// Each subcommand registers its options on the application and returns the function that runs
// it once the command line has parsed. The function returns the process exit code.

#include <functional>

#include <CLI/CLI.hpp>

namespace reviewsim::cli {

using CommandRunner = std::function<int()>;

CommandRunner add_compare_command(CLI::App& app);
CommandRunner add_run_command(CLI::App& app);
CommandRunner add_replay_command(CLI::App& app);
CommandRunner add_shrink_command(CLI::App& app);
CommandRunner add_explore_command(CLI::App& app);
CommandRunner add_migrate_command(CLI::App& app);
CommandRunner add_gate_command(CLI::App& app);
CommandRunner add_report_command(CLI::App& app);

}  // namespace reviewsim::cli
