#include "adapters/redis_kv.h"

#include <poll.h>
#include <sys/time.h>

#include <cerrno>
#include <csignal>
#include <memory>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "model/assert.h"

namespace reviewsim {

namespace {

constexpr std::string_view kUrlScheme = "redis://";
constexpr std::string_view kUrlSyntax = "redis://[:password@]host[:port][/db]";

// The logger of every RedisKv, on stderr so that it never mixes with a command's output.
spdlog::logger& redis_log() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    std::shared_ptr<spdlog::logger> existing = spdlog::get("redis");
    return existing ? existing : spdlog::stderr_color_mt("redis");
  }();
  return *logger;
}

// `text` with everything between the scheme and the last "@" replaced, so that an error
// message can quote a URL without its password.
std::string redact_url_text(std::string_view text) {
  const std::size_t at = text.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  const std::size_t scheme_end = text.find("://");
  const std::size_t userinfo_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  if (userinfo_start > at) return std::string(text);
  return std::string(text.substr(0, userinfo_start)) + ":***" + std::string(text.substr(at));
}

[[noreturn]] void throw_url_error(std::string_view text, std::string_view problem) {
  throw RedisUrlError(fmt::format("invalid Redis URL \"{}\": {}; expected {}",
                                  redact_url_text(text), problem, kUrlSyntax));
}

std::optional<int> parse_decimal(std::string_view digits, long long value_max) {
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  long long value = 0;
  for (const char digit : digits) {
    if (digit < '0' || digit > '9') return std::nullopt;
    value = value * 10 + (digit - '0');
  }
  if (value > value_max) return std::nullopt;
  return static_cast<int>(value);
}

int hex_digit_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

// Decodes %XX escapes. Returns nullopt for a "%" not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string decoded;
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (text[index] != '%') {
      decoded.push_back(text[index]);
      continue;
    }
    if (index + 2 >= text.size()) return std::nullopt;
    const int high = hex_digit_value(text[index + 1]);
    const int low = hex_digit_value(text[index + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    decoded.push_back(static_cast<char>(high * 16 + low));
    index += 2;
  }
  return decoded;
}

timeval to_timeval(std::chrono::milliseconds duration) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(duration.count() / 1000);
  value.tv_usec = static_cast<suseconds_t>((duration.count() % 1000) * 1000);
  return value;
}

Reply to_reply(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING: return Reply::bulk(std::string(reply.str, reply.len));
    case REDIS_REPLY_STATUS: return Reply::status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR: return Reply::error(std::string(reply.str, reply.len));
    case REDIS_REPLY_INTEGER: return Reply::number(reply.integer);
    case REDIS_REPLY_NIL: return Reply::nil();
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply.elements);
      for (std::size_t index = 0; index < reply.elements; ++index) {
        elements.push_back(to_reply(*reply.element[index]));
      }
      return Reply::array(std::move(elements));
    }
    default: break;
  }
  // hiredis 0.14 speaks RESP2, whose replies are the six types above.
  return Reply::error(fmt::format("reviewsim: unexpected hiredis reply type {}", reply.type));
}

// "HSET match-review:acme:approved": the command name and its key, the words a log needs.
// AUTH carries the password as its key word, so it is named alone.
std::string describe_command(std::span<const std::string_view> words) {
  if (words.empty()) return "(empty command)";
  if (words.size() == 1 || words[0] == "AUTH") return std::string(words[0]);
  return std::string(words[0]) + " " + std::string(words[1]);
}

// True for the replies that mean the server wants a password or rejected it.
bool is_auth_error(const Reply& reply) {
  if (!reply.is_error()) return false;
  const std::string_view text = reply.text;
  return text.starts_with("NOAUTH") || text.starts_with("WRONGPASS") ||
         text.starts_with("ERR invalid password") || text.starts_with("ERR AUTH");
}

// hiredis 0.14 writes to its socket with write(2), which raises SIGPIPE once the server has
// closed the connection. The default action would end the process, so RedisKv switches that
// signal to "ignore" when no handler is installed. write(2) then fails with EPIPE, which
// becomes a KvError.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) != 0) return;
    if (current.sa_handler != SIG_DFL) return;
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, nullptr);
  });
}

}  // namespace

RedisUrl RedisUrl::parse(std::string_view text) {
  if (text.starts_with("rediss://")) throw_url_error(text, "TLS (rediss://) is not supported");
  if (!text.starts_with(kUrlScheme)) throw_url_error(text, "it must start with redis://");
  std::string_view rest = text.substr(kUrlScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    throw_url_error(text, "query parameters and fragments are not supported");
  }

  RedisUrl url;
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    if (!userinfo.starts_with(':')) {
      throw_url_error(text, "a user name is not supported, write the password as :password@");
    }
    const auto password = percent_decode(userinfo.substr(1));
    if (!password) throw_url_error(text, "the password has an invalid %-escape");
    if (password->empty()) throw_url_error(text, "the password after \":\" is empty");
    url.password = *password;
    rest = rest.substr(at + 1);
  }

  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      const auto number = parse_decimal(db, 2147483647);
      if (!number) {
        throw_url_error(text, fmt::format("the database \"{}\" is not a non-negative integer", db));
      }
      url.db = *number;
    }
  }

  std::string_view port_text;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      throw_url_error(text, "the IPv6 host has no closing \"]\"");
    }
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) throw_url_error(text, "expected \":port\" after the IPv6 host");
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
      if (port_text.find(':') != std::string_view::npos) {
        throw_url_error(text, "more than one \":\" in host:port (write an IPv6 host as [::1])");
      }
    }
  }
  if (url.host.empty()) throw_url_error(text, "the host is missing");
  if (has_port) {
    const auto port = parse_decimal(port_text, 65535);
    if (!port || *port == 0) {
      throw_url_error(text,
                      fmt::format("the port \"{}\" is not a number from 1 to 65535", port_text));
    }
    url.port = *port;
  }
  return url;
}

std::string RedisUrl::redacted() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}{}:{}/{}", password.empty() ? "" : ":***@", ipv6 ? "[" : "",
                     host, ipv6 ? "]" : "", port, db);
}

std::string_view kv_error_kind_name(KvErrorKind kind) {
  switch (kind) {
    case KvErrorKind::connect_failed: return "connect-failed";
    case KvErrorKind::timeout: return "timeout";
    case KvErrorKind::connection_lost: return "connection-lost";
    case KvErrorKind::auth_failed: return "auth-failed";
  }
  RS_ASSERT(false);
}

RedisKv::RedisKv(RedisOptions options) : options_(std::move(options)) {
  RS_ASSERT(options_.connect_timeout.count() > 0);
  RS_ASSERT(options_.command_timeout.count() > 0);
  ignore_sigpipe_once();
  connect();
}

RedisKv::~RedisKv() { disconnect(); }

void RedisKv::disconnect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

void RedisKv::connect() {
  RS_ASSERT(context_ == nullptr);
  const std::string server = options_.url.redacted();
  redisContext* context = redisConnectWithTimeout(options_.url.host.c_str(), options_.url.port,
                                                  to_timeval(options_.connect_timeout));
  if (context == nullptr || context->err != 0) {
    const std::string reason = context == nullptr ? "out of memory" : context->errstr;
    if (context != nullptr) redisFree(context);
    const bool timed_out = reason.find("timed out") != std::string::npos;
    const KvErrorKind kind = timed_out ? KvErrorKind::timeout : KvErrorKind::connect_failed;
    redis_log().error("connect failed server={} kind={} error=\"{}\"", server,
                      kv_error_kind_name(kind), reason);
    throw KvError(kind, fmt::format("cannot connect to Redis at {}: {}", server, reason));
  }
  context_ = context;
  redisSetTimeout(context_, to_timeval(options_.command_timeout));
  redisEnableKeepAlive(context_);

  // AUTH, then SELECT (or PING), in one round trip. A server that requires a password replies
  // to the second with NOAUTH.
  RS_ASSERT(batch_.size() == 0);
  const std::string db = std::to_string(options_.url.db);
  if (!options_.url.password.empty()) batch_.add({"AUTH", options_.url.password});
  if (options_.url.db != 0) {
    batch_.add({"SELECT", db});
  } else {
    batch_.add({"PING"});
  }
  std::vector<std::string> setup;
  for (std::size_t index = 0; index < batch_.size(); ++index) {
    setup.push_back(describe_command(batch_.command(index)));
  }
  std::vector<Reply> replies;
  try {
    replies = round_trip();
  } catch (const KvError& error) {
    if (error.kind() == KvErrorKind::auth_failed) throw;
    throw KvError(error.kind(),
                  fmt::format("cannot connect to Redis at {}: {}", server, error.what()));
  }
  for (std::size_t index = 0; index < replies.size(); ++index) {
    if (!replies[index].is_error()) continue;
    const std::string& command = setup[index];
    disconnect();
    redis_log().error("connect failed server={} command={} error=\"{}\"", server, command,
                      replies[index].text);
    throw KvError(KvErrorKind::connect_failed,
                  fmt::format("cannot use Redis at {}: {} failed: {}", server, command,
                              replies[index].text));
  }
  redis_log().info("connected server={} earlier_reconnects={}", server, reconnects_count_);
}

bool RedisKv::connection_looks_closed() const {
  RS_ASSERT(context_ != nullptr);
  // Between calls the server owes no reply. A readable socket therefore means that it closed
  // the connection or broke the protocol, and the connection cannot be used in either case.
  pollfd descriptor{context_->fd, POLLIN, 0};
  const int ready = poll(&descriptor, 1, 0);
  return ready != 0;
}

void RedisKv::ensure_connected() {
  if (context_ != nullptr && context_->err == 0 && !connection_looks_closed()) return;

  const std::string reason = context_ == nullptr ? "the previous connection failed"
                             : context_->err != 0 ? context_->errstr
                                                  : "the server closed the connection";
  redis_log().warn("reconnecting server={} reason=\"{}\"", options_.url.redacted(), reason);
  disconnect();
  connect();
  ++reconnects_count_;
}

void RedisKv::Batch::add(std::initializer_list<std::string_view> command_words) {
  starts.push_back(words.size());
  words.insert(words.end(), command_words.begin(), command_words.end());
}

// The command's words as views of its own strings, so that sending a command copies none of them.
void RedisKv::Batch::add(const Command& command) {
  starts.push_back(words.size());
  for (const std::string_view word : command_word_views(command)) words.push_back(word);
}

void RedisKv::Batch::add_owned(std::vector<std::string> command_words) {
  owned.push_back(std::move(command_words));
  starts.push_back(words.size());
  for (const std::string& word : owned.back()) words.push_back(word);
}

std::span<const std::string_view> RedisKv::Batch::command(std::size_t index) const {
  RS_ASSERT(index < starts.size());
  const std::size_t end = index + 1 < starts.size() ? starts[index + 1] : words.size();
  return std::span<const std::string_view>(words).subspan(starts[index], end - starts[index]);
}

void RedisKv::Batch::clear() {
  words.clear();
  starts.clear();
  owned.clear();
}

Reply RedisKv::execute(const Command& command) {
  ensure_connected();
  batch_.add(command);
  return std::move(round_trip().front());
}

std::vector<Reply> RedisKv::execute_pipeline(std::span<const Command> commands) {
  if (commands.empty()) return {};
  ensure_connected();
  for (const Command& command : commands) batch_.add(command);
  return round_trip();
}

Reply RedisKv::execute_words(const std::vector<std::string>& words) {
  RS_ASSERT(!words.empty());
  ensure_connected();
  batch_.add_owned(words);
  return std::move(round_trip().front());
}

std::vector<Reply> RedisKv::round_trip() {
  RS_ASSERT(context_ != nullptr);
  RS_ASSERT(batch_.size() > 0);
  for (std::size_t index = 0; index < batch_.size(); ++index) {
    argv_.clear();
    argv_lengths_.clear();
    for (const std::string_view word : batch_.command(index)) {
      argv_.push_back(word.data());
      argv_lengths_.push_back(word.size());
    }
    // Appending only fills hiredis's output buffer. In hiredis 0.14 it fails only when memory
    // runs out.
    const int appended = redisAppendCommandArgv(context_, static_cast<int>(argv_.size()),
                                                argv_.data(), argv_lengths_.data());
    RS_ASSERT(appended == REDIS_OK);
  }

  std::vector<Reply> replies;
  replies.reserve(batch_.size());
  for (std::size_t index = 0; index < batch_.size(); ++index) {
    void* raw = nullptr;
    // The first call writes the whole buffer, so the batch goes out in one round trip.
    if (redisGetReply(context_, &raw) != REDIS_OK) fail_io(index);
    const std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw),
                                                              freeReplyObject);
    replies.push_back(to_reply(*owned));
  }
  check_replies(replies);
  batch_.clear();
  return replies;
}

void RedisKv::check_replies(const std::vector<Reply>& replies) {
  // The batch positions of the commands queued since a MULTI of this batch, so that an error
  // inside EXEC's reply names the queued command that caused it.
  std::vector<std::size_t> queued;
  bool queuing = false;
  for (std::size_t index = 0; index < replies.size(); ++index) {
    const Reply& reply = replies[index];
    const std::string_view name = batch_.command(index).front();
    if (is_auth_error(reply)) {
      const std::string command = describe_command(batch_.command(index));
      batch_.clear();
      disconnect();
      redis_log().error("authentication failed server={} command={} error=\"{}\"",
                        options_.url.redacted(), command, reply.text);
      throw KvError(KvErrorKind::auth_failed,
                    fmt::format("Redis at {} rejected the password or requires one: {}",
                                options_.url.redacted(), reply.text));
    }
    if (reply.is_error()) {
      redis_log().warn("error reply server={} command={} error=\"{}\"", options_.url.redacted(),
                       describe_command(batch_.command(index)), reply.text);
    }
    if (name == "MULTI") {
      queuing = !reply.is_error();
      queued.clear();
      continue;
    }
    if (queuing && name != "EXEC" && name != "DISCARD") {
      queued.push_back(index);
      continue;
    }
    // EXEC returns the replies of the queued commands; an error among them is logged too.
    for (std::size_t element = 0; element < reply.elements.size(); ++element) {
      if (!reply.elements[element].is_error()) continue;
      const bool known = queuing && element < queued.size();
      redis_log().warn("error reply in transaction server={} command={} error=\"{}\"",
                       options_.url.redacted(),
                       describe_command(batch_.command(known ? queued[element] : index)),
                       reply.elements[element].text);
    }
    queuing = false;
  }
}

void RedisKv::fail_io(std::size_t replies_read) {
  const int saved_errno = errno;
  RS_ASSERT(context_ != nullptr);
  const std::string reason = context_->errstr;
  const bool timed_out = context_->err == REDIS_ERR_IO &&
                         (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK);
  const KvErrorKind kind = timed_out ? KvErrorKind::timeout : KvErrorKind::connection_lost;
  const std::string command = describe_command(batch_.command(replies_read));
  const std::size_t batch_size = batch_.size();
  batch_.clear();
  disconnect();

  redis_log().error("{} server={} command={} reply={}/{} error=\"{}\"", kv_error_kind_name(kind),
                    options_.url.redacted(), command, replies_read + 1, batch_size, reason);
  const std::string position =
      batch_size == 1 ? std::string()
                      : fmt::format(" (reply {} of {} in a pipeline)", replies_read + 1,
                                    batch_size);
  const std::string cause = timed_out ? fmt::format("no reply within {} ms",
                                                    options_.command_timeout.count())
                                      : reason;
  throw KvError(kind, fmt::format("Redis at {}: {} during {}{}; the server may have run the "
                                  "commands it received",
                                  options_.url.redacted(), cause, command, position));
}

}  // namespace reviewsim
