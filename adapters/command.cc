#include "adapters/command.h"

#include "model/assert.h"

namespace reviewsim {

std::string_view op_name(Op op) {
  switch (op) {
    case Op::get: return "GET";
    case Op::set: return "SET";
    case Op::del: return "DEL";
    case Op::exists: return "EXISTS";
    case Op::type: return "TYPE";
    case Op::rename: return "RENAME";
    case Op::hset: return "HSET";
    case Op::hdel: return "HDEL";
    case Op::hgetall: return "HGETALL";
    case Op::multi: return "MULTI";
    case Op::exec: return "EXEC";
    case Op::discard: return "DISCARD";
    case Op::watch: return "WATCH";
    case Op::unwatch: return "UNWATCH";
    case Op::hget: return "HGET";
    case Op::scan: return "SCAN";
    case Op::flushdb: return "FLUSHDB";
  }
  RS_ASSERT(false);
}

CommandWordViews command_word_views(const Command& command) {
  CommandWordViews words;
  words.push_back(op_name(command.op));
  switch (command.op) {
    case Op::get:
    case Op::del:
    case Op::exists:
    case Op::type:
    case Op::hgetall:
    case Op::watch:
      words.push_back(command.key);
      break;
    case Op::set:
    case Op::rename:
      words.push_back(command.key);
      words.push_back(command.value);
      break;
    case Op::hset:
      words.push_back(command.key);
      words.push_back(command.field);
      words.push_back(command.value);
      break;
    case Op::hdel:
    case Op::hget:
      words.push_back(command.key);
      words.push_back(command.field);
      break;
    case Op::scan:
      words.push_back(command.key);
      if (!command.field.empty()) {
        words.push_back("MATCH");
        words.push_back(command.field);
      }
      if (!command.value.empty()) {
        words.push_back("COUNT");
        words.push_back(command.value);
      }
      break;
    case Op::multi:
    case Op::exec:
    case Op::discard:
    case Op::unwatch:
    case Op::flushdb:
      break;
  }
  return words;
}

std::vector<std::string> command_words(const Command& command) {
  const CommandWordViews views = command_word_views(command);
  return std::vector<std::string>(views.begin(), views.end());
}

namespace {

// Appends `text`, cut after `chars_max` characters with "..." added.
void append_shortened(std::string& line, std::string_view text, std::size_t chars_max) {
  if (text.size() <= chars_max) {
    line.append(text);
  } else {
    line.append(text.substr(0, chars_max)).append("...");
  }
}

}  // namespace

std::string format_command(const Command& command, std::size_t value_chars_max) {
  std::string line;
  for (const std::string_view word : command_word_views(command)) {
    if (!line.empty()) line += ' ';
    append_shortened(line, word, value_chars_max);
  }
  return line;
}

std::string format_reply(const Reply& reply, std::size_t value_chars_max) {
  switch (reply.type) {
    case Reply::Type::nil: return "(nil)";
    case Reply::Type::status: return reply.text;
    case Reply::Type::error: return std::string("(error) ").append(reply.text);
    case Reply::Type::integer: return std::string("(integer) ").append(std::to_string(reply.integer));
    case Reply::Type::bulk: {
      std::string quoted(1, '"');
      append_shortened(quoted, reply.text, value_chars_max);
      quoted.push_back('"');
      return quoted;
    }
    case Reply::Type::array: {
      std::string line = "[";
      for (std::size_t index = 0; index < reply.elements.size(); ++index) {
        if (index > 0) line += ", ";
        line += format_reply(reply.elements[index], value_chars_max);
      }
      return line + "]";
    }
  }
  RS_ASSERT(false);
}

}  // namespace reviewsim
