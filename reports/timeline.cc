#include "reports/timeline.h"

#include <map>

#include <fmt/format.h>

#include "model/assert.h"

namespace reviewsim {

std::string actor_name(const StepRecord& record) {
  switch (record.kind) {
    case EventKind::request_arrival:
    case EventKind::kv_command:
      return fmt::format("{}/r{}", user_name(record.user), counter_of(record.request));
    default:
      return user_name(record.user);
  }
}

std::string describe_step(const StepRecord& record, const Catalog& catalog) {
  switch (record.kind) {
    case EventKind::page_load:
      return "opens the page: loads every company";
    case EventKind::user_action: {
      RS_ASSERT(record.action.has_value());
      const Action& action = *record.action;
      switch (action.kind) {
        case ActionKind::switch_company:
          return fmt::format("switches the dropdown to {}", catalog.company_name(action.company));
        case ActionKind::hide_tab: return "hides the tab";
        case ActionKind::show_tab: return "shows the tab";
        default: break;
      }
      std::string text = fmt::format("{} {}/{}", action_kind_name(action.kind),
                                     catalog.company_name(catalog.company_of(action.item)),
                                     catalog.item_name(action.item));
      if (!action.node.empty()) text += " to node " + action.node;
      return text;
    }
    case EventKind::save_timer: return "save timer fires";
    case EventKind::poll_timer: return "poll timer fires";
    case EventKind::request_arrival: return "request reaches the server";
    case EventKind::reply_arrival: return fmt::format("reply to r{} arrives", counter_of(record.request));
    case EventKind::kv_command:
    case EventKind::final_load:
      RS_ASSERT(record.command.has_value());
      RS_ASSERT(record.reply.has_value());
      return format_command(*record.command, 60) + " -> " + format_reply(*record.reply, 40);
  }
  RS_ASSERT(false);
}

std::string render_timeline(const History& history, const Catalog& catalog,
                            const std::vector<Anomaly>& anomalies) {
  RS_ASSERT(history.keeps_steps());
  std::map<std::uint32_t, std::string> marks;
  for (const Anomaly& anomaly : anomalies) {
    for (const std::uint32_t step : anomaly.steps) {
      std::string& mark = marks[step];
      const auto name = std::string(anomaly_kind_name(anomaly.kind));
      if (mark.find(name) == std::string::npos) mark += (mark.empty() ? "" : ", ") + name;
    }
  }

  std::string text = fmt::format("{:>5}  {:>9}  {:<7}  {:<10}  {}\n", "step", "time", "actor",
                                 "event", "what");
  for (const StepRecord& record : history.steps()) {
    std::string line = fmt::format("{:>5}  {:>7}ms  {:<7}  {:<10}  {}", record.step,
                                   record.time_ms, actor_name(record),
                                   event_kind_name(record.kind), describe_step(record, catalog));
    if (!record.note.empty()) line += "  [" + record.note + "]";
    const auto mark = marks.find(record.step);
    if (mark != marks.end()) line += "  <== " + mark->second;
    text += line + "\n";
  }
  return text;
}

}  // namespace reviewsim
