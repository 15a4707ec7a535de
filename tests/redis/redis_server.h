#pragma once

// Real redis-server processes for the Redis tests and the Redis benchmark, always on 127.0.0.1.
//
// RedisServerProcess starts a private server as a child process on a free port, with
// persistence off unless the caller passes other options, and stops it by its pid.
// shared_redis_port() returns the port of the server that the ctest fixture started:
// tests/redis/redis_fixture.sh writes it to $REVIEWSIM_TEST_REDIS_DIR/port. Outside ctest it
// starts a private server for the process instead.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace reviewsim::testing {

class RedisServerProcess {
 public:
  struct Options {
    // Added after the defaults, so they override them, e.g. {"--requirepass", "secret"}.
    std::vector<std::string> arguments;
    // The server's working directory (dump files, log). Empty: a new temporary directory,
    // removed when the process object dies.
    std::filesystem::path directory;
  };

  // Starts the server and waits until it replies to PING. Throws std::runtime_error, with the end
  // of the server's log, when it does not start within a few seconds.
  RedisServerProcess();
  explicit RedisServerProcess(Options options);
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& directory() const { return directory_; }
  // redis://[:password@]127.0.0.1:<port>/<db>
  std::string url(const std::string& password = {}, int db = 0) const;

  // Sends SIGTERM and waits for the process to end. Safe to call twice.
  void stop();
  // Waits for a process that ends on its own (after SHUTDOWN), up to `timeout_ms`.
  bool wait_for_exit(int timeout_ms);
  bool running();

 private:
  bool try_start(int port);

  Options options_;
  std::filesystem::path directory_;
  bool owns_directory_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A port that was free on 127.0.0.1 a moment ago.
int find_free_port();

// The port of the server shared by the Redis tests of this process.
int shared_redis_port();

}  // namespace reviewsim::testing
