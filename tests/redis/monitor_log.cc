#include "tests/redis/monitor_log.h"

#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

#include <hiredis/hiredis.h>

namespace reviewsim::testing {

namespace {

// Marks the end of the log; the reader stops when the server runs ECHO with it.
constexpr const char* kEndMarker = "reviewsim-monitor-log-end";

redisContext* connect_or_throw(int port) {
  timeval timeout{5, 0};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (context == nullptr || context->err != 0) {
    const std::string reason = context == nullptr ? "out of memory" : context->errstr;
    if (context != nullptr) redisFree(context);
    throw std::runtime_error("MonitorLog: cannot connect: " + reason);
  }
  return context;
}

int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

// Reads one quoted word at `position`, undoing Redis's escapes (sdscatrepr): \\ \" \n \r \t
// \a \b and \xHH.
bool read_quoted(const std::string& text, std::size_t& position, std::string& word) {
  if (position >= text.size() || text[position] != '"') return false;
  ++position;
  word.clear();
  while (position < text.size() && text[position] != '"') {
    char byte = text[position++];
    if (byte == '\\') {
      if (position >= text.size()) return false;
      const char escaped = text[position++];
      switch (escaped) {
        case 'n': byte = '\n'; break;
        case 'r': byte = '\r'; break;
        case 't': byte = '\t'; break;
        case 'a': byte = '\a'; break;
        case 'b': byte = '\b'; break;
        case 'x': {
          if (position + 2 > text.size()) return false;
          const int high = hex_value(text[position]);
          const int low = hex_value(text[position + 1]);
          if (high < 0 || low < 0) return false;
          byte = static_cast<char>(high * 16 + low);
          position += 2;
          break;
        }
        default: byte = escaped; break;
      }
    }
    word.push_back(byte);
  }
  if (position >= text.size()) return false;
  ++position;  // closing quote
  return true;
}

}  // namespace

bool parse_monitor_line(const std::string& text, MonitorLine& line) {
  char* end = nullptr;
  line.time_s = std::strtod(text.c_str(), &end);
  const std::size_t close = text.find("] ");
  if (end == text.c_str() || close == std::string::npos) return false;
  line.words.clear();
  std::size_t position = close + 2;
  while (position < text.size()) {
    std::string word;
    if (!read_quoted(text, position, word)) return false;
    line.words.push_back(std::move(word));
    if (position < text.size() && text[position] == ' ') ++position;
  }
  if (line.words.empty()) return false;
  std::transform(line.words[0].begin(), line.words[0].end(), line.words[0].begin(),
                 [](unsigned char byte) { return static_cast<char>(std::toupper(byte)); });
  return true;
}

MonitorLog::MonitorLog(int port) : port_(port) {
  context_ = connect_or_throw(port);
  auto* reply = static_cast<redisReply*>(redisCommand(context_, "MONITOR"));
  const bool ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
  if (reply != nullptr) freeReplyObject(reply);
  if (!ok) {
    redisFree(context_);
    throw std::runtime_error("MonitorLog: MONITOR failed");
  }
  reader_ = std::thread([this] { read_lines(); });
}

MonitorLog::~MonitorLog() {
  if (!finished_) finish();
  redisFree(context_);
}

void MonitorLog::read_lines() {
  while (true) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK) {
      error_ = context_->errstr;
      return;
    }
    auto* reply = static_cast<redisReply*>(raw);
    MonitorLine line;
    const bool parsed = reply->type == REDIS_REPLY_STATUS &&
                        parse_monitor_line(std::string(reply->str, reply->len), line);
    freeReplyObject(reply);
    if (!parsed) continue;
    if (line.words.size() == 2 && line.words[0] == "ECHO" && line.words[1] == kEndMarker) return;
    lines_.push_back(std::move(line));
  }
}

std::vector<MonitorLine> MonitorLog::finish() {
  finished_ = true;
  redisContext* marker = connect_or_throw(port_);
  auto* reply = static_cast<redisReply*>(redisCommand(marker, "ECHO %s", kEndMarker));
  if (reply != nullptr) freeReplyObject(reply);
  redisFree(marker);
  reader_.join();
  if (!error_.empty()) throw std::runtime_error("MonitorLog: reading failed: " + error_);
  return std::move(lines_);
}

}  // namespace reviewsim::testing
