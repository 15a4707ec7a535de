#pragma once

// Records every command a redis-server runs, in the order it runs them, through MONITOR. Redis
// runs one command at a time and feeds MONITOR as it runs each, the commands of a MULTI/EXEC
// block at EXEC time, so the log is the server's commit order.

#include <string>
#include <thread>
#include <vector>

struct redisContext;

namespace reviewsim::testing {

struct MonitorLine {
  double time_s = 0;               // the server's Unix time of the command
  std::vector<std::string> words;  // the command name in upper case, then its arguments
};

// Parses one MONITOR line: 1700000000.123456 [0 127.0.0.1:5000] "HSET" "key" "field" "value".
// Returns false for a line that does not have that shape.
bool parse_monitor_line(const std::string& text, MonitorLine& line);

class MonitorLog {
 public:
  // Connects to 127.0.0.1:`port` and starts recording. Throws std::runtime_error.
  explicit MonitorLog(int port);
  ~MonitorLog();
  MonitorLog(const MonitorLog&) = delete;
  MonitorLog& operator=(const MonitorLog&) = delete;

  // Stops recording once the server has run every command sent before this call, and returns
  // the log in the server's order.
  std::vector<MonitorLine> finish();

 private:
  void read_lines();

  int port_;
  redisContext* context_ = nullptr;
  std::thread reader_;
  std::vector<MonitorLine> lines_;
  std::string error_;
  bool finished_ = false;
};

}  // namespace reviewsim::testing
