#pragma once

// The JSON the strategies store. Blob layout: {"approved": {...}, "rejected": {...},
// "manual": {...}}, item name to entry. An entry: {"by": "u1", "seq": 3, "at": 1530} plus
// "node" for manual matches; "by" and "seq" identify the decision, "at" is the virtual time in
// milliseconds. The hash layout stores one entry JSON per hash field.

#include <stdexcept>
#include <string>
#include <string_view>

#include "model/catalog.h"
#include "model/company_state.h"

namespace reviewsim {

// Stored data that does not parse or names an unknown user or item.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Entries take a direct path for the shape encode_entry writes: keys in the order "at", "by",
// "node", "seq", integers without leading zeros, a "node" of printable ASCII without quotes or
// backslashes. Any other text, valid JSON or not, goes through nlohmann::json, so both paths
// accept the same texts and give the same entries and errors. The direct path exists because
// building a JSON document for every loaded entry was the largest cost of a simulated load.
std::string encode_entry(const Entry& entry);
Entry decode_entry(std::string_view json);  // throws DecodeError

// The nlohmann::json path alone, for tests that compare the direct path with it.
std::string encode_entry_with_library(const Entry& entry);
Entry decode_entry_with_library(std::string_view json);  // throws DecodeError

std::string encode_blob(const CompanyState& state, const Catalog& catalog);
CompanyState decode_blob(std::string_view json, const Catalog& catalog);  // throws DecodeError

}  // namespace reviewsim
