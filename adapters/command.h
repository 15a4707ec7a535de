#pragma once

// The subset of Redis commands the strategies and the migration use, and Redis replies.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/assert.h"

namespace reviewsim {

enum class Op : std::uint8_t {
  get,      // GET key
  set,      // SET key value
  del,      // DEL key
  exists,   // EXISTS key
  type,     // TYPE key
  rename,   // RENAME key value(newkey)
  hset,     // HSET key field value
  hdel,     // HDEL key field
  hgetall,  // HGETALL key
  multi,    // MULTI
  exec,     // EXEC
  discard,  // DISCARD
  watch,    // WATCH key
  unwatch,  // UNWATCH
  hget,     // HGET key field
  // SCAN key(cursor) [MATCH field(pattern)] [COUNT value(count)]; MATCH and COUNT are sent only
  // when their field is not empty. The reply is [next cursor, [key, ...]], cursor "0" at the end.
  scan,
  flushdb,  // FLUSHDB
};

std::string_view op_name(Op op);

// One command. Fields that the op does not take stay empty.
struct Command {
  Op op = Op::get;
  std::string key;
  std::string field;
  std::string value;

  friend bool operator==(const Command&, const Command&) = default;
};

// The command's words as Redis receives them, for example {"HSET", key, field, value}.
std::vector<std::string> command_words(const Command& command);
// The same words as views into the command's own strings, which must outlive them. Held in
// place rather than in a vector, because formatting a command for every simulated write should
// not allocate.
class CommandWordViews {
 public:
  void push_back(std::string_view word) {
    RS_ASSERT(count_ < words_.size());
    words_[count_++] = word;
  }
  const std::string_view* begin() const { return words_.data(); }
  const std::string_view* end() const { return words_.data() + count_; }
  std::size_t size() const { return count_; }

 private:
  std::array<std::string_view, 6> words_;  // the longest is SCAN key MATCH pattern COUNT n
  std::size_t count_ = 0;
};
CommandWordViews command_word_views(const Command& command);
// The command as one line, values longer than `value_chars_max` shortened with "...".
std::string format_command(const Command& command, std::size_t value_chars_max = 80);

struct Reply {
  enum class Type : std::uint8_t { nil, status, error, integer, bulk, array };

  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string text;             // status, error or bulk string
  std::vector<Reply> elements;  // array

  static Reply nil() { return Reply{}; }
  static Reply status(std::string text) { return Reply{Type::status, 0, std::move(text), {}}; }
  static Reply ok() { return status("OK"); }
  static Reply error(std::string text) { return Reply{Type::error, 0, std::move(text), {}}; }
  static Reply number(std::int64_t value) { return Reply{Type::integer, value, {}, {}}; }
  static Reply bulk(std::string text) { return Reply{Type::bulk, 0, std::move(text), {}}; }
  static Reply array(std::vector<Reply> elements) {
    return Reply{Type::array, 0, {}, std::move(elements)};
  }

  bool is_error() const { return type == Type::error; }
  bool is_nil() const { return type == Type::nil; }

  friend bool operator==(const Reply&, const Reply&) = default;
};

// The reply as one line in redis-cli's spirit: (nil), OK, (error) ..., (integer) 1, "text",
// [a, b]. Bulk strings longer than `value_chars_max` are shortened with "...".
std::string format_reply(const Reply& reply, std::size_t value_chars_max = 80);

}  // namespace reviewsim
