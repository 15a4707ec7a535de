#pragma once

// Internal to reports/: JSON reading with errors that name the file and the field, and the JSON
// of one result row, which compare.json, gate results and report.json share.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/compare_report.h"

namespace reviewsim::json_fields {

using nlohmann::json;
using nlohmann::ordered_json;

// Parses `text`, throwing ReportInputError with the parser's position on invalid JSON.
json parse_document(std::string_view text, const std::string& source);

// Typed access to the fields of one document. Every failure throws ReportInputError with
// "<source>: field <path>: <problem>".
class FieldReader {
 public:
  explicit FieldReader(std::string source) : source_(std::move(source)) {}

  const std::string& source() const { return source_; }
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const;
  const json& require(const json& object, const std::string& path, const std::string& name) const;
  // The field, or nullptr when it is missing or null.
  const json* find(const json& object, const std::string& name) const;
  std::string string(const json& value, const std::string& path) const;
  std::uint64_t unsigned_integer(const json& value, const std::string& path) const;
  double number(const json& value, const std::string& path) const;
  bool boolean(const json& value, const std::string& path) const;
  void require_object(const json& value, const std::string& path) const;
  void require_array(const json& value, const std::string& path) const;

 private:
  std::string source_;
};

std::string join_path(const std::string& path, const std::string& name);
std::string index_path(const std::string& path, std::size_t index);

// "none" for a clean expectation, else the kinds joined by ", ".
std::string expectation_text(const Expectation& expectation);
std::string kinds_text(const std::vector<AnomalyKind>& kinds);
// Parses kinds joined by ", " (or "none" into an empty list). Fails on an unknown kind.
std::vector<AnomalyKind> parse_kinds_text(const std::string& text, const std::string& path,
                                          const FieldReader& reader);

ordered_json row_to_json(const CompareRow& row);
CompareRow row_from_json(const json& value, const std::string& path, const FieldReader& reader);

}  // namespace reviewsim::json_fields
