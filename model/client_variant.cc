#include "model/client_variant.h"

namespace reviewsim {

bool same_flags(const ClientVariant& a, const ClientVariant& b) {
  return a.save_key == b.save_key && a.sync == b.sync && a.payload == b.payload &&
         a.poll_merge == b.poll_merge;
}

ClientVariant legacy_client() {
  return ClientVariant{"legacy", SaveKey::global_current, Sync::page_load_only,
                       Payload::whole_view, PollMerge::replace};
}

ClientVariant fixed_client() {
  return ClientVariant{"fixed", SaveKey::captured, Sync::poll, Payload::changed_entries,
                       PollMerge::keep_pending};
}

namespace {

bool apply_flag(std::string_view flag, ClientVariant& variant) {
  if (flag == "captured-key") variant.save_key = SaveKey::captured;
  else if (flag == "global-key") variant.save_key = SaveKey::global_current;
  else if (flag == "poll") variant.sync = Sync::poll;
  else if (flag == "page-load") variant.sync = Sync::page_load_only;
  else if (flag == "changed-payload") variant.payload = Payload::changed_entries;
  else if (flag == "whole-payload") variant.payload = Payload::whole_view;
  else if (flag == "keep-pending") variant.poll_merge = PollMerge::keep_pending;
  else if (flag == "replace") variant.poll_merge = PollMerge::replace;
  else return false;
  return true;
}

}  // namespace

std::string_view client_variant_syntax() {
  return "legacy or fixed, optionally followed by +flag modifiers (captured-key, global-key, "
         "poll, page-load, changed-payload, whole-payload, keep-pending, replace), for example "
         "legacy+captured-key";
}

std::optional<ClientVariant> parse_client_variant(std::string_view name, std::string* error) {
  const auto plus = name.find('+');
  const std::string_view preset = name.substr(0, plus);

  ClientVariant variant;
  if (preset == "legacy") {
    variant = legacy_client();
  } else if (preset == "fixed") {
    variant = fixed_client();
  } else {
    if (error) *error = "unknown client variant \"" + std::string(name) + "\"";
    return std::nullopt;
  }

  std::string_view rest = plus == std::string_view::npos ? "" : name.substr(plus + 1);
  while (plus != std::string_view::npos) {
    const auto next = rest.find('+');
    const std::string_view flag = rest.substr(0, next);
    if (!apply_flag(flag, variant)) {
      if (error) {
        *error = "unknown client flag \"" + std::string(flag) + "\" in \"" + std::string(name) +
                 "\"";
      }
      return std::nullopt;
    }
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  variant.name = std::string(name);
  return variant;
}

}  // namespace reviewsim
