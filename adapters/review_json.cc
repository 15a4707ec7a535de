#include "adapters/review_json.h"

#include <charconv>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "model/assert.h"

namespace reviewsim {

namespace {

using nlohmann::json;

json entry_json(const Entry& entry) {
  json object = {{"by", user_name(entry.id.user)}, {"seq", entry.id.seq}, {"at", entry.at_ms}};
  if (!entry.node.empty()) object["node"] = entry.node;
  return object;
}

Entry entry_from_json(const json& object) {
  if (!object.is_object()) throw DecodeError("entry is not a JSON object");
  const auto by = object.find("by");
  const auto seq = object.find("seq");
  const auto at = object.find("at");
  if (by == object.end() || !by->is_string()) throw DecodeError("entry has no string \"by\"");
  if (seq == object.end() || !seq->is_number_unsigned() ||
      seq->get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
    throw DecodeError("entry has no \"seq\" from 0 to 4294967295");
  }
  // nlohmann converts an unsigned number above INT64_MAX to a negative TimeMs without error.
  if (at == object.end() || !at->is_number_integer() ||
      (at->is_number_unsigned() &&
       at->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<TimeMs>::max()))) {
    throw DecodeError("entry has no integer \"at\" within the range of virtual milliseconds");
  }
  const auto user = parse_user_name(by->get<std::string>());
  if (!user) throw DecodeError("entry names unknown user \"" + by->get<std::string>() + "\"");

  Entry entry;
  entry.id = DecisionId{*user, seq->get<std::uint32_t>()};
  entry.at_ms = at->get<TimeMs>();
  const auto node = object.find("node");
  if (node != object.end()) {
    if (!node->is_string()) throw DecodeError("entry \"node\" is not a string");
    entry.node = node->get<std::string>();
  }
  return entry;
}

json parse(std::string_view text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) throw DecodeError("stored value is not valid JSON");
  return parsed;
}

// Returns whether `node` is printable ASCII other than the quote and the backslash: the
// characters that nlohmann::json's dump() writes between quotes without escaping.
bool is_plain_text(std::string_view node) {
  for (const char c : node) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_integer(std::string& out, std::int64_t value) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
  RS_ASSERT(error == std::errc{});
  out.append(digits, end);
}

// Reads the shape encode_entry writes (see review_json.h) and returns nullopt for anything
// else. It never decides that a text is invalid; nlohmann::json does that.
class DirectEntryReader {
 public:
  explicit DirectEntryReader(std::string_view text) : rest_(text) {}

  std::optional<Entry> read() {
    Entry entry;
    std::string_view by;
    std::int64_t seq = 0;
    if (!literal("{\"at\":") || !integer(entry.at_ms) || !literal(",\"by\":") || !string(by)) {
      return std::nullopt;
    }
    if (literal(",\"node\":")) {
      std::string_view node;
      if (!string(node) || node.empty()) return std::nullopt;
      entry.node = node;
    }
    if (!literal(",\"seq\":") || !integer(seq) || !literal("}") || !rest_.empty()) {
      return std::nullopt;
    }
    const auto user = parse_user_name(by);
    if (!user || seq < 0 || seq > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    entry.id = DecisionId{*user, static_cast<std::uint32_t>(seq)};
    return entry;
  }

 private:
  bool literal(std::string_view expected) {
    if (!rest_.starts_with(expected)) return false;
    rest_.remove_prefix(expected.size());
    return true;
  }

  // Reads a JSON integer of up to 18 digits, so that it cannot overflow. "-0" and leading zeros
  // are left to the library.
  bool integer(std::int64_t& value) {
    std::size_t length = rest_.starts_with('-') ? 1 : 0;
    const std::size_t first_digit = length;
    while (length < rest_.size() && rest_[length] >= '0' && rest_[length] <= '9') ++length;
    const std::size_t digits = length - first_digit;
    if (digits == 0 || digits > 18) return false;
    if (rest_[first_digit] == '0' && (digits > 1 || first_digit == 1)) return false;
    std::from_chars(rest_.data(), rest_.data() + length, value);
    rest_.remove_prefix(length);
    return true;
  }

  bool string(std::string_view& value) {
    if (!literal("\"")) return false;
    const std::size_t end = rest_.find('"');
    if (end == std::string_view::npos || !is_plain_text(rest_.substr(0, end))) return false;
    value = rest_.substr(0, end);
    rest_.remove_prefix(end + 1);
    return true;
  }

  std::string_view rest_;
};

}  // namespace

std::string encode_entry_with_library(const Entry& entry) { return entry_json(entry).dump(); }

Entry decode_entry_with_library(std::string_view text) { return entry_from_json(parse(text)); }

std::string encode_entry(const Entry& entry) {
  if (!is_plain_text(entry.node)) return encode_entry_with_library(entry);
  std::string out;
  out.reserve(48 + entry.node.size());
  out.append("{\"at\":");
  append_integer(out, entry.at_ms);
  out.append(",\"by\":\"").append(user_name(entry.id.user)).push_back('"');
  if (!entry.node.empty()) out.append(",\"node\":\"").append(entry.node).push_back('"');
  out.append(",\"seq\":");
  append_integer(out, entry.id.seq);
  out.push_back('}');
  return out;
}

Entry decode_entry(std::string_view text) {
  if (std::optional<Entry> entry = DirectEntryReader(text).read()) return *std::move(entry);
  return decode_entry_with_library(text);
}

std::string encode_blob(const CompanyState& state, const Catalog& catalog) {
  json blob = json::object();
  for (const Status status : kStatuses) {
    json entries = json::object();
    for (const auto& [item, entry] : state.map(status)) {
      entries[catalog.item_name(item)] = entry_json(entry);
    }
    blob[std::string(status_name(status))] = std::move(entries);
  }
  return blob.dump();
}

CompanyState decode_blob(std::string_view text, const Catalog& catalog) {
  const json blob = parse(text);
  if (!blob.is_object()) throw DecodeError("blob is not a JSON object");
  CompanyState state;
  for (const Status status : kStatuses) {
    const auto entries = blob.find(std::string(status_name(status)));
    if (entries == blob.end()) continue;
    if (!entries->is_object()) {
      throw DecodeError("blob field \"" + std::string(status_name(status)) + "\" is not an object");
    }
    for (const auto& [name, entry] : entries->items()) {
      const auto item = catalog.find_item(name);
      if (!item) throw DecodeError("blob names unknown item \"" + name + "\"");
      state.map(status)[*item] = entry_from_json(entry);
    }
  }
  return state;
}

}  // namespace reviewsim
