// Reads a trace file into TraceData. Parsing a big trace takes seconds, so the
// window asks TraceLoadJob to do it on a worker thread and never waits for it.
#pragma once
#include <QList>
#include <QObject>
#include <QString>

class QThread;

#include "gui/trace_data.h"

namespace kiosim::gui {

// Parses and checks a whole trace; on a problem returns null and says what and where in `error`.
TracePtr parseTrace(const QByteArray& json, const QString& sourcePath, QString* error);
TracePtr loadTraceFile(const QString& path, QString* error);

// Adds measured counters to a copy of `trace`, matching runs by name: a {"runs": [{"method"|"name",
// "measured"|"counters": {...}}]} result, or `kiosim check --json`'s (gui/check_measured.h;
// `scenario` picks one of `check --all`'s, "" the trace's own).
TracePtr withMeasured(const TracePtr& trace, const QString& path, QString* error, const QString& scenario = {});

// Loads a file on a worker thread and reports back on the thread that started it. Only
// the newest load reports (opening B while A loads shows B); the worker touches nothing
// but its own result, and the job waits for its workers when destroyed, so no thread
// outlives the window (a window closed while a big trace parsed read freed memory).
class TraceLoadJob : public QObject {
  Q_OBJECT
 public:
  explicit TraceLoadJob(QObject* parent = nullptr) : QObject(parent) {}
  ~TraceLoadJob() override;
  void start(const QString& path);
  bool busy() const { return !workers_.isEmpty(); }

 signals:
  void loaded(kiosim::gui::TracePtr trace);
  void failed(const QString& path, const QString& error);

 private:
  QList<QThread*> workers_;
  quint64 newest_ = 0;  // the number of the last start(): older loads end silently
};

}  // namespace kiosim::gui
