#include "base/metrics.h"

#include <cmath>
#include <sstream>

namespace opencapf {

namespace {

std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void Metrics::Describe(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  help_[std::string(name)] = std::string(help);
  counters_[std::string(name)];
}

void Metrics::Count(std::string_view name, const MetricLabels& labels, std::int64_t delta) {
  std::lock_guard lock(mu_);
  auto it = counters_.find(name);
  if (it == counters_.end())
    it = counters_.emplace(std::string(name), std::map<MetricLabels, std::int64_t>{}).first;
  it->second[labels] += delta;
}

std::int64_t Metrics::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  auto it = counters_.find(name);
  if (it == counters_.end()) return 0;
  auto v = it->second.find(labels);
  return v == it->second.end() ? 0 : v->second;
}

std::string Metrics::Sample(std::string_view name, const MetricLabels& labels, double value) {
  std::ostringstream out;
  out << name;
  if (!labels.empty()) {
    out << '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out << ',';
      out << labels[i].first << "=\"" << Escape(labels[i].second) << '"';
    }
    out << '}';
  }
  out << ' ';
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    out << static_cast<long long>(value);
  } else {
    out << value;
  }
  out << '\n';
  return out.str();
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, samples] : counters_) {
    auto help = help_.find(name);
    if (help != help_.end()) out += "# HELP " + name + " " + help->second + "\n";
    out += "# TYPE " + name + " counter\n";
    for (const auto& [labels, value] : samples) {
      out += Sample(name, labels, static_cast<double>(value));
    }
  }
  return out;
}

}  // namespace opencapf
