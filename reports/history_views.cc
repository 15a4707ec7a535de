#include "reports/history_views.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "adapters/command.h"
#include "reports/timeline.h"

namespace reviewsim {

namespace {

// Mermaid ends a message at ';' and reads '#' as the start of an entity code.
std::string mermaid_text(const std::string& text) {
  std::string escaped;
  for (const char character : text) {
    if (character == ';') {
      escaped += "#59;";
    } else if (character == '#') {
      escaped += "#35;";
    } else {
      escaped += character;
    }
  }
  return escaped;
}

// Formats a KV command for an arrow label. Keys stay whole because their company and status
// suffix distinguishes otherwise equal HGETALLs. Other words, such as JSON values, are cut to
// 24 characters.
std::string mermaid_command(const Command& command) {
  constexpr std::size_t kWordCharsMax = 24;
  std::string line;
  for (const std::string& word : command_words(command)) {
    if (!line.empty()) line += ' ';
    const bool is_key = word == command.key || (command.op == Op::rename && word == command.value);
    if (is_key || word.size() <= kWordCharsMax) {
      line += word;
    } else {
      line += word.substr(0, kWordCharsMax) + "...";
    }
  }
  return mermaid_text(line);
}

std::map<std::uint32_t, std::string> anomaly_marks(const std::vector<Anomaly>& anomalies) {
  std::map<std::uint32_t, std::string> marks;
  for (const Anomaly& anomaly : anomalies) {
    for (const std::uint32_t step : anomaly.steps) {
      std::string& mark = marks[step];
      const auto name = std::string(anomaly_kind_name(anomaly.kind));
      if (mark.find(name) == std::string::npos) mark += (mark.empty() ? "" : ", ") + name;
    }
  }
  return marks;
}

// The Mermaid lines of one step, without highlighting.
std::vector<std::string> mermaid_lines(const StepRecord& record, const Catalog& catalog) {
  const std::string user = user_name(record.user);
  const std::string prefix = fmt::format("{} ", record.step);
  switch (record.kind) {
    case EventKind::page_load:
    case EventKind::user_action:
    case EventKind::save_timer:
    case EventKind::poll_timer:
      return {fmt::format("Note over {}: {}{} (t={} ms)", user, prefix,
                          mermaid_text(describe_step(record, catalog)), record.time_ms)};
    case EventKind::request_arrival:
      return {fmt::format("{}->>server: {}r{} {}", user, prefix, counter_of(record.request),
                          mermaid_text(record.note))};
    case EventKind::kv_command:
      return {fmt::format("server->>store: {}r{} {}", prefix, counter_of(record.request),
                          mermaid_command(*record.command)),
              fmt::format("store-->>server: {}", mermaid_text(format_reply(*record.reply, 24)))};
    case EventKind::reply_arrival:
      return {fmt::format("server-->>{}: {}reply r{}{}{}", user, prefix, counter_of(record.request),
                          record.note.empty() ? "" : " ", mermaid_text(record.note))};
    case EventKind::final_load:
      return {fmt::format("{}->>store: {}final load {}", user, prefix,
                          mermaid_command(*record.command))};
  }
  return {};
}

}  // namespace

std::string render_mermaid(const History& history, const Catalog& catalog,
                           const std::vector<Anomaly>& anomalies, int users_count) {
  const auto marks = anomaly_marks(anomalies);
  std::string text = "sequenceDiagram\n";
  for (int user = 1; user <= users_count; ++user) {
    text += fmt::format("  participant {}\n", user_name(static_cast<UserId>(user)));
  }
  text += "  participant server as server handlers\n  participant store as KV store\n";

  for (const StepRecord& record : history.steps()) {
    const auto mark = marks.find(record.step);
    const bool marked = mark != marks.end();
    if (marked) text += "  rect rgb(255, 205, 205)\n";
    for (const std::string& line : mermaid_lines(record, catalog)) {
      text.append(marked ? "    " : "  ").append(line).append("\n");
    }
    if (marked) {
      const std::string lane = record.kind == EventKind::kv_command ? "server,store" : user_name(record.user);
      text += fmt::format("    Note over {}: step {}: {}\n  end\n", lane, record.step, mark->second);
    }
  }
  return text;
}

std::string render_history_json(const History& history, const Catalog& catalog,
                                 const std::vector<Anomaly>& anomalies) {
  using nlohmann::ordered_json;
  ordered_json document;
  document["format"] = "reviewsim-history/1";
  ordered_json steps = ordered_json::array();
  for (const StepRecord& record : history.steps()) {
    ordered_json step;
    step["step"] = record.step;
    step["time_ms"] = record.time_ms;
    step["actor"] = actor_name(record);
    step["event"] = std::string(event_kind_name(record.kind));
    step["choice"] = record.choice;
    step["enabled"] = record.enabled_count;
    step["what"] = describe_step(record, catalog);
    if (record.command) step["command"] = command_words(*record.command);
    if (record.reply) step["reply"] = format_reply(*record.reply, SIZE_MAX);
    if (!record.note.empty()) step["note"] = record.note;
    steps.push_back(std::move(step));
  }
  document["steps"] = std::move(steps);
  ordered_json found = ordered_json::array();
  for (const Anomaly& anomaly : anomalies) {
    found.push_back({{"kind", std::string(anomaly_kind_name(anomaly.kind))},
                     {"explanation", anomaly.explanation},
                     {"steps", anomaly.steps}});
  }
  document["anomalies"] = std::move(found);
  return document.dump(2) + "\n";
}

namespace {

std::string render_company(const CompanyState& state, const Catalog& catalog) {
  if (state.empty()) return "(empty)";
  std::string text;
  for (const Status status : kStatuses) {
    for (const auto& [item, entry] : state.map(status)) {
      if (!text.empty()) text += ", ";
      text += fmt::format("{} {} by {}#{}", catalog.item_name(item), status_name(status),
                          user_name(entry.id.user), entry.id.seq);
    }
  }
  return text;
}

}  // namespace

std::string render_state(const StateAtStep& state, const Catalog& catalog) {
  std::string text = fmt::format("State after step {}:\n", state.step);
  for (std::size_t company = 0; company < state.store.size(); ++company) {
    text += fmt::format("  store {}: {}\n", catalog.company_name(static_cast<CompanyId>(company)),
                        render_company(state.store[company], catalog));
  }
  for (std::size_t user = 0; user < state.views.size(); ++user) {
    for (std::size_t company = 0; company < state.views[user].size(); ++company) {
      text += fmt::format("  {} view of {}: {}\n", user_name(static_cast<UserId>(user + 1)),
                          catalog.company_name(static_cast<CompanyId>(company)),
                          render_company(state.views[user][company], catalog));
    }
  }
  return text;
}

}  // namespace reviewsim
