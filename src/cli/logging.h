#pragma once

namespace opencapf::cli {

/// Sends log lines to stderr, one per event. Under journald (JOURNAL_STREAM names this stderr),
/// each line carries only its syslog priority prefix ("<6>"), since the journal stamps the time
/// and the unit itself; elsewhere, a timestamp and the level, as a terminal or a file wants.
void ConfigureLogging();

/// True when JOURNAL_STREAM ("DEVICE:INODE") names the file stderr is: systemd connected it to
/// the journal (a child whose stderr was redirected inherits the variable but not the stream).
bool StderrIsJournal();

}  // namespace opencapf::cli
