#pragma once

// RedisKv: the Kv interface on a real Redis server through hiredis (Debian's 0.14, blocking
// API), and the URL that names the server.
//
// Errors travel on two channels. A Redis error reply (WRONGTYPE, EXEC without MULTI) is a reply
// like any other: Reply::Type::error. A connection that cannot be opened, times out or breaks
// throws KvError, whose kind names the failure. Passwords never appear in messages
// or logs: both name the server by RedisUrl::redacted().

#include <chrono>
#include <initializer_list>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/kv.h"

struct redisContext;

namespace reviewsim {

// A server address: redis://[:password@]host[:port][/db]. The port defaults to 6379 and the
// database to 0. The password may be percent-encoded (%40 for "@").
struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string password;  // empty: no AUTH

  // Parses `text`. Throws RedisUrlError naming the part that is wrong and what was expected.
  static RedisUrl parse(std::string_view text);
  // The URL with the password replaced by "***", safe for messages and logs.
  std::string redacted() const;
};

// An invalid Redis URL. The message never contains the password.
class RedisUrlError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class KvErrorKind : std::uint8_t {
  connect_failed,   // the server could not be reached
  timeout,          // the connect or a reply took longer than its timeout
  connection_lost,  // the connection broke while a command or pipeline was under way
  auth_failed,      // the server rejected the password or requires one
};

std::string_view kv_error_kind_name(KvErrorKind kind);

// A connection failure. After connection_lost or timeout the outcome of the command that was
// under way is unknown: the server may or may not have run it.
class KvError : public std::runtime_error {
 public:
  KvError(KvErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  KvErrorKind kind() const { return kind_; }

 private:
  KvErrorKind kind_;
};

struct RedisOptions {
  RedisUrl url;
  std::chrono::milliseconds connect_timeout{2000};
  // The maximum wait for one reply, or for one write to the socket.
  std::chrono::milliseconds command_timeout{5000};
};

// One connection to a Redis server. Not thread-safe: give each thread its own RedisKv.
//
// Reconnects: a connection found broken before a call sends anything (closed by the server
// while idle, or broken by an earlier call) is reopened once at the start of that call. When
// the connection breaks while a call is under way, the call throws KvError and nothing is
// resent, because the server may have run part of it. MULTI and WATCH state belong to the old
// connection and are gone after a reconnect, so a caller that gets a KvError inside a
// transaction must start the transaction again.
//
// hiredis 0.14 writes with write(2), which raises SIGPIPE when the server has closed the
// socket. The first RedisKv therefore sets SIGPIPE to "ignore" if it is at its default action,
// so that such a write fails with EPIPE and becomes a KvError instead of ending the process.
class RedisKv final : public Kv {
 public:
  // Connects, authenticates and selects the database. Throws KvError.
  explicit RedisKv(RedisOptions options);
  ~RedisKv() override;
  RedisKv(const RedisKv&) = delete;
  RedisKv& operator=(const RedisKv&) = delete;

  Reply execute(const Command& command) override;
  // Sends every command, then reads every reply: one round trip for the whole span.
  std::vector<Reply> execute_pipeline(std::span<const Command> commands) override;
  // Runs a command that Command does not model, for example {"CONFIG", "GET", "maxmemory"}.
  // Same error handling as execute().
  Reply execute_words(const std::vector<std::string>& words);

  const RedisUrl& url() const { return options_.url; }
  // How many times the connection was reopened after the first connect.
  std::uint64_t reconnects_count() const { return reconnects_count_; }

 private:
  void connect();
  void disconnect();
  // Reopens the connection when it is closed or broken, once. Throws KvError when that fails.
  void ensure_connected();
  bool connection_looks_closed() const;
  // The words of the commands of one round trip, as views of strings that outlive the call.
  struct Batch {
    std::vector<std::string_view> words;
    std::vector<std::size_t> starts;  // where in `words` each command begins
    std::vector<std::vector<std::string>> owned;  // words built for this batch only

    void add(std::initializer_list<std::string_view> command_words);
    void add(const Command& command);
    void add_owned(std::vector<std::string> command_words);
    std::size_t size() const { return starts.size(); }
    std::span<const std::string_view> command(std::size_t index) const;
    void clear();
  };

  // Sends every command of batch_, reads one reply per command, empties batch_ and returns the
  // replies in order.
  std::vector<Reply> round_trip();
  // Logs error replies and throws KvError for a reply that rejects the password.
  void check_replies(const std::vector<Reply>& replies);
  [[noreturn]] void fail_io(std::size_t replies_read);

  RedisOptions options_;
  redisContext* context_ = nullptr;
  std::uint64_t reconnects_count_ = 0;
  Batch batch_;
  // Word pointers and lengths of the command being appended, kept to reuse their memory.
  std::vector<const char*> argv_;
  std::vector<std::size_t> argv_lengths_;
};

}  // namespace reviewsim
