#include "reports/gate_junit.h"

#include <fmt/format.h>

namespace reviewsim {

namespace {

// Escapes text for XML character data, and with `attribute` set also for a double-quoted
// attribute value. XML 1.0 forbids most control characters even as references, so they become
// '?'.
std::string xml_escape(std::string_view text, bool attribute) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char character : text) {
    const auto byte = static_cast<unsigned char>(character);
    if (character == '&') {
      escaped += "&amp;";
    } else if (character == '<') {
      escaped += "&lt;";
    } else if (character == '>') {
      escaped += "&gt;";
    } else if (attribute && character == '"') {
      escaped += "&quot;";
    } else if (attribute && (character == '\n' || character == '\t')) {
      // Attribute value normalization would turn a raw newline or tab into a space.
      escaped += character == '\n' ? "&#10;" : "&#9;";
    } else if (byte < 0x20 && character != '\n' && character != '\t' && character != '\r') {
      escaped += '?';
    } else {
      escaped += character;
    }
  }
  return escaped;
}

std::string attribute(std::string_view value) { return xml_escape(value, true); }
std::string text(std::string_view value) { return xml_escape(value, false); }

std::string class_name(const GateCase& gate_case) {
  if (gate_case.role == GateRole::regression) return "reviewsim.regressions";
  return "reviewsim." + gate_case.scenario;
}

// Returns the <system-out> text of a case: its role, expectation and schedules per user count.
std::string case_output(const GateCase& gate_case) {
  if (gate_case.role == GateRole::regression) {
    return fmt::format("regression trace {}: expected {}, found {}\n", gate_case.trace_file,
                       gate_case.expected, gate_case.found.empty() ? "-" : gate_case.found);
  }
  std::string text = fmt::format("{} case {}: scenario {} ({}), expects {} ({})\n",
                                 gate_role_name(gate_case.role), gate_case.index, gate_case.scenario,
                                 gate_case.scenario_file, gate_case.expected,
                                 gate_case.expectation_source);
  for (const CompareRow& row : gate_case.rows) {
    text += fmt::format("{} users: {} of {} schedules failed\n", row.users_count,
                        row.result.failing_schedules, row.result.schedules);
  }
  return text;
}

}  // namespace

std::string gate_junit(const GateResult& result) {
  std::string cases;
  for (const GateCase& gate_case : result.cases) {
    cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", attribute(class_name(gate_case)),
                         attribute(gate_case_name(gate_case)));
    if (gate_case.status == GateStatus::failed) {
      cases += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                           attribute(gate_case.message), gate_role_name(gate_case.role),
                           text(gate_case.details));
    } else if (gate_case.status == GateStatus::skipped) {
      cases += fmt::format("      <skipped message=\"{}\"/>\n", attribute(gate_case.message));
    }
    cases += fmt::format("      <system-out>{}</system-out>\n", text(case_output(gate_case)));
    cases += "    </testcase>\n";
  }

  std::string shards;
  for (const GateShard& shard : result.shards) {
    if (!shards.empty()) shards += ',';
    shards += fmt::format("{}/{}", shard.index, shard.count);
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format("<testsuites name=\"reviewsim gate\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
                     "skipped=\"{}\" time=\"{:.3f}\">\n",
                     result.cases.size(), gate_cases_with_status(result, GateStatus::failed),
                     gate_cases_with_status(result, GateStatus::skipped), result.elapsed_s);
  xml += fmt::format("  <testsuite name=\"reviewsim gate (shard {})\" tests=\"{}\" failures=\"{}\" "
                     "errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n",
                     attribute(shards), result.cases.size(),
                     gate_cases_with_status(result, GateStatus::failed),
                     gate_cases_with_status(result, GateStatus::skipped), result.elapsed_s);
  xml += "    <properties>\n";
  xml += fmt::format("      <property name=\"seed\" value=\"{}\"/>\n", result.seed);
  xml += fmt::format("      <property name=\"steps_max\" value=\"{}\"/>\n", result.steps_max);
  for (const GateShard& shard : result.shards) {
    xml += fmt::format("      <property name=\"schedules_per_case.shard{}\" value=\"{}\"/>\n", shard.index,
                       shard.schedules_per_case);
  }
  xml += "    </properties>\n";
  xml += cases;
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace reviewsim
