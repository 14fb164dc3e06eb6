#include "gui/controls_bar.h"

#include <QAction>
#include <QLabel>
#include <QSlider>
#include <QStyle>

#include "gui/frame.h"

namespace kiosim::gui {

ControlsBar::ControlsBar(PlaybackClock* clock, QWidget* parent) : QToolBar(tr("Playback"), parent), clock_(clock) {
  setObjectName(QStringLiteral("controls"));
  auto add = [this](QStyle::StandardPixmap icon, const QString& text, QList<QKeySequence> keys, auto slot) {
    QAction* a = addAction(style()->standardIcon(icon), text);
    a->setShortcuts(keys);
    a->setShortcutContext(Qt::WindowShortcut);
    a->setToolTip(QStringLiteral("%1 (%2)").arg(text, keys.front().toString(QKeySequence::NativeText)));
    connect(a, &QAction::triggered, clock_, slot);
    return a;
  };
  add(QStyle::SP_MediaSkipBackward, tr("Jump to start"), {Qt::Key_Home}, &PlaybackClock::toStart);
  add(QStyle::SP_MediaSeekBackward, tr("Step back"), {Qt::Key_Left}, &PlaybackClock::stepBack);
  play_ = add(QStyle::SP_MediaPlay, tr("Play / pause"), {Qt::Key_Space}, &PlaybackClock::togglePlay);
  add(QStyle::SP_MediaSeekForward, tr("Step forward"), {Qt::Key_Right}, &PlaybackClock::stepForward);
  add(QStyle::SP_MediaSkipForward, tr("Jump to end"), {Qt::Key_End}, &PlaybackClock::toEnd);
  addSeparator();

  addWidget(new QLabel(tr(" Speed ")));
  speed_ = new QSlider(Qt::Horizontal);
  speed_->setObjectName(QStringLiteral("speed"));
  speed_->setRange(0, static_cast<int>(speedPresets().size()) - 1);
  speed_->setValue(clock_->speedIndex());
  speed_->setFocusPolicy(Qt::NoFocus);  // arrows belong to stepping
  speed_->setMaximumWidth(180);
  addWidget(speed_);
  speedLabel_ = new QLabel;
  speedLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("100 ms per second  ")));
  addWidget(speedLabel_);
  auto setSpeed = [this](int i) {
    clock_->setSpeedIndex(i);
    speedLabel_->setText(QStringLiteral(" ") + speedPresets()[static_cast<std::size_t>(i)].label);
  };
  connect(speed_, &QSlider::valueChanged, this, setSpeed);
  setSpeed(speed_->value());
  QAction* faster = addAction(tr("Faster"));
  faster->setShortcuts({Qt::Key_Up, Qt::Key_Plus});
  connect(faster, &QAction::triggered, this, [this] { speed_->setValue(speed_->value() + 1); });
  QAction* slower = addAction(tr("Slower"));
  slower->setShortcuts({Qt::Key_Down, Qt::Key_Minus});
  connect(slower, &QAction::triggered, this, [this] { speed_->setValue(speed_->value() - 1); });
  addSeparator();
  position_ = new QLabel;
  position_->setObjectName(QStringLiteral("position"));
  addWidget(position_);

  connect(clock_, &PlaybackClock::playingChanged, this, [this](bool playing) {
    play_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  });
  connect(clock_, &PlaybackClock::changed, this, &ControlsBar::refresh);
}

void ControlsBar::refresh() {
  position_->setText(QStringLiteral("  event %1 / %2   t = %3 of %4")
                         .arg(clock_->position())
                         .arg(clock_->total())
                         .arg(formatNs(clock_->now()), formatNs(static_cast<double>(clock_->endNs()))));
}

}  // namespace kiosim::gui
