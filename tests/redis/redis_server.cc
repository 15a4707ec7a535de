#include "tests/redis/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <hiredis/hiredis.h>

extern char** environ;

namespace reviewsim::testing {

namespace {

constexpr int kStartAttemptsMax = 5;
constexpr int kReadyWaitMs = 5000;

std::filesystem::path make_temporary_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "reviewsim-redis-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

// True when a server on `port` replies to PING with PONG, or with NOAUTH because it requires a
// password.
bool replies_to_ping(int port) {
  timeval timeout{0, 200000};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (context == nullptr) return false;
  bool ready = false;
  if (context->err == 0) {
    auto* reply = static_cast<redisReply*>(redisCommand(context, "PING"));
    if (reply != nullptr) {
      const std::string text(reply->str == nullptr ? "" : reply->str);
      ready = text == "PONG" || text.starts_with("NOAUTH");
      freeReplyObject(reply);
    }
  }
  redisFree(context);
  return ready;
}

std::string log_tail(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  const std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

int find_free_port() {
  const int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (socket_fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  const bool bound = bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                     getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(socket_fd);
  if (!bound) throw std::runtime_error("no free port on 127.0.0.1");
  return ntohs(address.sin_port);
}

RedisServerProcess::RedisServerProcess() : RedisServerProcess(Options{}) {}

RedisServerProcess::RedisServerProcess(Options options) : options_(std::move(options)) {
  directory_ = options_.directory;
  if (directory_.empty()) {
    directory_ = make_temporary_directory();
    owns_directory_ = true;
  }
  for (int attempt = 1; attempt <= kStartAttemptsMax; ++attempt) {
    // Another process may take the port between find_free_port() and the server's bind.
    if (try_start(find_free_port())) return;
  }
  const std::string tail = log_tail(directory_ / "redis.log");
  if (owns_directory_) std::filesystem::remove_all(directory_);
  throw std::runtime_error("redis-server did not start after " +
                           std::to_string(kStartAttemptsMax) + " attempts; its log ends with:\n" +
                           tail);
}

RedisServerProcess::~RedisServerProcess() {
  stop();
  if (owns_directory_) {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
}

bool RedisServerProcess::try_start(int port) {
  const std::string log_path = (directory_ / "redis.log").string();
  std::vector<std::string> arguments = {
      "redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", "--dir", directory_.string(),
      "--daemonize", "no", "--logfile", log_path, "--loglevel", "warning"};
  arguments.insert(arguments.end(), options_.arguments.begin(), options_.arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, "redis-server", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot run redis-server (is it installed?)");

  pid_ = pid;
  port_ = port;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadyWaitMs);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    if (replies_to_ping(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  return false;
}

std::string RedisServerProcess::url(const std::string& password, int db) const {
  const std::string auth = password.empty() ? "" : ":" + password + "@";
  return "redis://" + auth + "127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db);
}

bool RedisServerProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) return true;
  pid_ = -1;
  return false;
}

bool RedisServerProcess::wait_for_exit(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void RedisServerProcess::stop() {
  if (!running()) return;
  kill(pid_, SIGTERM);
  if (!wait_for_exit(5000)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

int shared_redis_port() {
  if (const char* directory = std::getenv("REVIEWSIM_TEST_REDIS_DIR")) {
    std::ifstream file(std::filesystem::path(directory) / "port");
    int port = 0;
    if (!(file >> port) || port <= 0) {
      throw std::runtime_error(std::string("no port in ") + directory +
                               "/port; did the redis_server_start fixture run?");
    }
    return port;
  }
  // Outside ctest: one private server for the whole process, stopped at exit.
  static RedisServerProcess server;
  return server.port();
}

}  // namespace reviewsim::testing
