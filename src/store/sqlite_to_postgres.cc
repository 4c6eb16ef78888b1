#include "store/sqlite_to_postgres.h"

#include <chrono>
#include <string_view>
#include <vector>

#include "store/postgres.h"
#include "store/postgres_schema.h"
#include "store/sqlite.h"
#include "store/sqlite_schema.h"

namespace opencapf::store {

namespace {

/// A column as it is copied: its name and how PostgreSQL takes it (kBool: SQLite's 0 or 1).
struct Column {
  const char* name;
  enum Kind { kText, kInt, kBlob, kBool } kind;
};

/// One table, copied as it is; `identity` tables keep their ids.
struct Table {
  const char* name;
  std::vector<Column> columns;
  bool identity = false;
  std::int64_t CopyCounts::*count = nullptr;
};

const std::vector<Table>& Tables() {
  using K = Column::Kind;
  static const std::vector<Table> tables = {
      {"devices",
       {{"name", K::kText},
        {"operation", K::kText},
        {"auth", K::kText},
        {"auth_string", K::kText},
        {"key_order", K::kText},
        {"rsa_bits", K::kInt},
        {"ec_curve", K::kInt},
        {"complete_by", K::kInt},
        {"operation_status", K::kText},
        {"lsc_status", K::kText},
        {"encrypted_config", K::kBool},
        {"created", K::kInt},
        {"updated", K::kInt},
        {"version", K::kInt}},
       false,
       &CopyCounts::devices},
      {"certificates",
       {{"device", K::kText},
        {"slot", K::kText},
        {"pem", K::kText},
        {"serial_hex", K::kText},
        {"subject", K::kText},
        {"issuer", K::kText},
        {"not_before", K::kInt},
        {"not_after", K::kInt}},
       false,
       &CopyCounts::certificates},
      {"events",
       {{"id", K::kInt},
        {"device", K::kText},
        {"at", K::kInt},
        {"peer", K::kText},
        {"operation", K::kText},
        {"result", K::kText},
        {"reason", K::kText},
        {"duration_ms", K::kInt}},
       true,
       &CopyCounts::events},
      {"trusted_certificates",
       {{"sha256", K::kText},
        {"der", K::kBlob},
        {"subject", K::kText},
        {"issuer", K::kText},
        {"not_before", K::kInt},
        {"not_after", K::kInt},
        {"roles", K::kText},
        {"ttl", K::kInt},
        {"source", K::kText},
        {"added", K::kInt}},
       false,
       &CopyCounts::trusted},
      {"revocations",
       {{"id", K::kInt},
        {"serial_hex", K::kText},
        {"issuer", K::kText},
        {"device", K::kText},
        {"reason", K::kText},
        {"revoked_at", K::kInt},
        {"not_after", K::kInt},
        {"pem", K::kText}},
       true,
       &CopyCounts::revocations},
      {"admin_password",
       {{"id", K::kInt}, {"hash", K::kText}, {"changed", K::kInt}},
       false,
       nullptr},
      {"api_tokens",
       {{"name", K::kText}, {"sha256", K::kText}, {"created", K::kInt}, {"last_used", K::kInt}},
       false,
       &CopyCounts::api_tokens},
      {"audit",
       {{"id", K::kInt},
        {"at", K::kInt},
        {"actor", K::kText},
        {"peer", K::kText},
        {"action", K::kText},
        {"target", K::kText},
        {"detail", K::kText}},
       true,
       &CopyCounts::audit},
  };
  return tables;
}

std::string ColumnList(const Table& t) {
  std::string out;
  for (const Column& c : t.columns) out += std::string(out.empty() ? "" : ", ") + c.name;
  return out;
}

std::string InsertSql(const Table& t) {
  std::string values;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const char* type = t.columns[i].kind == Column::kInt    ? "bigint"
                       : t.columns[i].kind == Column::kBlob ? "bytea"
                       : t.columns[i].kind == Column::kBool ? "boolean"
                                                            : "text";
    values += (i ? ", $" : "$") + std::to_string(i + 1) + "::" + type;
  }
  return "INSERT INTO " + std::string(t.name) + " (" + ColumnList(t) + ")" +
         (t.identity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" + values + ")";
}

/// Anything in the database already: named, so the refusal says what.
Result<std::string> WhatIsThere(pg::Connection& conn) {
  std::string found;
  for (const char* table : {"devices", "events", "trusted_certificates", "revocations",
                            "admin_password", "api_tokens", "audit", "cluster"}) {
    auto rows = conn.Query("SELECT count(*) FROM " + std::string(table),
                           "looking at " + std::string(table));
    if (!rows.ok()) return rows.error();
    if (rows->Int(0, 0) > 0) {
      found += std::string(found.empty() ? "" : ", ") + std::to_string(rows->Int(0, 0)) +
               " row(s) in " + table;
    }
  }
  return found;
}

}  // namespace

Result<CopyCounts> CopySqliteToPostgres(const std::filesystem::path& sqlite_path,
                                        const std::string& url) {
  auto source = sqlite::Database::Open(sqlite_path, 5000);
  if (!source.ok()) return source.error();
  if (auto st = sqlite::Migrate(*source); !st.ok()) return st.error();
  auto target = pg::Connection::Open(url, std::chrono::seconds(10));
  if (!target.ok()) return target.error();
  if (auto st = pg::Migrate(*target); !st.ok()) return st.error();

  // One snapshot of the source, one transaction in the target.
  auto read = sqlite::Transaction::Begin(*source, sqlite::Transaction::Kind::kRead,
                                         "reading " + sqlite_path.string());
  if (!read.ok()) return read.error();
  const std::string doing = "copying " + sqlite_path.string() + " into " + target->where();
  auto tx = pg::Transaction::Begin(*target, pg::Transaction::Kind::kWrite, doing);
  if (!tx.ok()) return tx.error();
  // Nobody else writes to it meanwhile (a node started on it too early would).
  if (auto st = target->Exec("LOCK TABLE devices, events, trusted_certificates, revocations, "
                             "admin_password, api_tokens, audit, cluster IN EXCLUSIVE MODE",
                             doing);
      !st.ok()) {
    return st.error();
  }
  auto there = WhatIsThere(*target);
  if (!there.ok()) return there.error();
  if (!there->empty()) {
    return Fail(target->where() + " holds an opencapf installation already (" + *there +
                "); store migrate copies only into an empty database: give another one "
                "(CREATE DATABASE), or drop this one's contents if it is a failed attempt");
  }

  CopyCounts counts;
  for (const Table& t : Tables()) {
    auto select = source->Prepare("SELECT " + ColumnList(t) + " FROM " + t.name, doing);
    if (!select.ok()) return select.error();
    const std::string insert = InsertSql(t);
    std::int64_t rows = 0;
    for (;;) {
      auto row = select->Step(doing);
      if (!row.ok()) return row.error();
      if (!*row) break;
      pg::Params params;
      for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const int c = static_cast<int>(i);
        if (select->IsNull(c)) {
          params.AddNull();
        } else if (t.columns[i].kind == Column::kInt) {
          params.Add(select->Int(c));
        } else if (t.columns[i].kind == Column::kBlob) {
          params.AddBytes(select->Blob(c));
        } else if (t.columns[i].kind == Column::kBool) {
          params.Add(select->Int(c) != 0 ? "true" : "false");
        } else {
          params.Add(select->Text(c));
        }
      }
      auto inserted = target->Query(insert, params, doing + ": " + t.name);
      if (!inserted.ok()) return inserted.error();
      ++rows;
    }
    if (t.count != nullptr) counts.*(t.count) = rows;
    if (std::string_view(t.name) == "admin_password") counts.admin_password = rows > 0;
    if (t.identity) {
      // The ids were copied as they were: new rows continue after the largest.
      auto moved = target->Query("SELECT setval(pg_get_serial_sequence('" + std::string(t.name) +
                                     "', 'id'), coalesce(max(id), 0) + 1, false) FROM " + t.name,
                                 doing + ": " + t.name + " ids");
      if (!moved.ok()) return moved.error();
    }
  }
  if (auto st = tx->Commit(doing); !st.ok()) return st.error();
  return counts;
}

}  // namespace opencapf::store
