#pragma once

// Runs the reviewsim executable as a child process and captures its exit code and output.

#include <string>
#include <vector>

namespace reviewsim::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Starts reviewsim with `arguments`. Call wait() once to collect the result.
class CliProcess {
 public:
  explicit CliProcess(const std::vector<std::string>& arguments);
  ~CliProcess();
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  CliResult wait();

 private:
  std::string directory_;
  int pid_ = -1;
};

// Runs reviewsim with `arguments` to its end.
CliResult run_cli(const std::vector<std::string>& arguments);

}  // namespace reviewsim::testing
