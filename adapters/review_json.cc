#include "adapters/review_json.h"

#include <limits>

#include <nlohmann/json.hpp>

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

}  // namespace

std::string encode_entry(const Entry& entry) { return entry_json(entry).dump(); }

Entry decode_entry(std::string_view text) { return entry_from_json(parse(text)); }

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
