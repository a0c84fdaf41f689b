"""The Progress window: past sessions, totals and streaks, charts, and one session's detail.

This module is imported only when the window first opens (History → Progress…), and it
imports QtCharts only inside the chart builders, so the app's start-up never pays for
either. Everything shown comes from the :class:`HistoryStore`; user-made routine titles
are shown as plain text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from statistics import fmean
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.content import ContentLibrary
from massage_trainer.domain.history import (
    HistoryStore,
    PracticeScore,
    SessionDetail,
    SessionRow,
    StoreStatus,
    TechniqueTime,
    Totals,
)
from massage_trainer.domain.screening import SessionMode
from massage_trainer.domain.session import StepStatus
from massage_trainer.ui.controller import describe_zones, format_clock
from massage_trainer.ui.widgets import resize_to_fit

ACCENT = QColor("#1d5c8c")
SCORE_INK = QColor("#2b7046")
TILE_BACKGROUND = QColor("#eef3f7")
BANNER_BACKGROUND = QColor("#fff4d6")
BANNER_INK = QColor("#5b4300")

_ANY_INDEX = QModelIndex | QPersistentModelIndex


def duration_text(seconds: float) -> str:
    """Practice time for people: "45 s", "12 min", "1 h 05 min"."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min"


def date_text(moment: datetime, *, this_year: int | None = None) -> str:
    """ "Mon 10 Mar, 19:05" this year, "Mon 10 Mar 2024, 19:05" before."""
    this_year = this_year if this_year is not None else datetime.now().year
    year = "" if moment.year == this_year else f" {moment.year}"
    return f"{moment:%a} {moment.day} {moment:%b}{year}, {moment:%H:%M}"


def mode_text(mode: SessionMode) -> str:
    return "Partner" if mode is SessionMode.PARTNER else "Dry run"


def _days_text(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


# -- the session table ---------------------------------------------------------------------


class SessionTableModel(QAbstractTableModel):
    """Past sessions, one per row; the sort role gives raw values (times, seconds)."""

    COLUMNS = (
        "Date",
        "Routine",
        "Mode",
        "Practised",
        "Steps",
        "Pauses",
        "Pain",
        "Score",
        "Outcome",
    )
    DATE, ROUTINE, MODE, PRACTISED, STEPS, PAUSES, PAIN, SCORE, OUTCOME = range(9)
    SORT_ROLE = Qt.ItemDataRole.UserRole + 1
    ROUTINE_ROLE = Qt.ItemDataRole.UserRole + 2
    SESSION_ROLE = Qt.ItemDataRole.UserRole + 3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[SessionRow, ...] = ()

    def set_sessions(self, rows: Sequence[SessionRow]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: _ANY_INDEX = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _ANY_INDEX = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: _ANY_INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        session = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(session, column)
        if role == self.SORT_ROLE:
            return self._sort_key(session, column)
        if role == self.ROUTINE_ROLE:
            return session.routine_id
        if role == self.SESSION_ROLE:
            return session.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            self.PRACTISED,
            self.STEPS,
            self.PAUSES,
            self.PAIN,
            self.SCORE,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.PRACTISED:
            return f"{duration_text(session.actual_s)} of {duration_text(session.planned_s)}"
        if role == Qt.ItemDataRole.ForegroundRole and column == self.PAIN and session.pain_reports:
            return QColor("#a4281f")
        return None

    def _display(self, session: SessionRow, column: int) -> str:
        if column == self.DATE:
            return date_text(session.started_at)
        if column == self.ROUTINE:
            return session.routine_title
        if column == self.MODE:
            return mode_text(session.mode)
        if column == self.PRACTISED:
            return format_clock(round(session.actual_s))
        if column == self.STEPS:
            return f"{session.steps_done} of {session.step_count}"
        if column == self.PAUSES:
            return str(session.pauses)
        if column == self.PAIN:
            return str(session.pain_reports) if session.pain_reports else "–"
        if column == self.SCORE:
            return f"{session.mean_score:.0f}" if session.mean_score is not None else "–"
        return session.state.label

    def _sort_key(self, session: SessionRow, column: int) -> Any:
        keys: dict[int, Any] = {
            self.DATE: session.started_at.timestamp(),
            self.ROUTINE: session.routine_title.casefold(),
            self.MODE: session.mode.value,
            self.PRACTISED: session.actual_s,
            self.STEPS: session.steps_done,
            self.PAUSES: session.pauses,
            self.PAIN: session.pain_reports,
            self.SCORE: session.mean_score if session.mean_score is not None else -1.0,
            self.OUTCOME: session.state.label,
        }
        return keys[column]


class SessionFilterProxy(QSortFilterProxyModel):
    """Sorts on raw values and shows one routine's sessions, or all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SessionTableModel.SORT_ROLE)
        self.setFilterRole(SessionTableModel.ROUTINE_ROLE)

    def set_routine(self, routine_id: str | None) -> None:
        """Show only ``routine_id``'s sessions; None shows all."""
        if routine_id:
            pattern = "^" + QRegularExpression.escape(routine_id) + "$"
            self.setFilterRegularExpression(QRegularExpression(pattern))
        else:
            self.setFilterRegularExpression(QRegularExpression())


# -- the parts of the window -----------------------------------------------------------


class StatTile(QFrame):
    """One figure with its caption, e.g. "4 days" / "Current streak"."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statTile")
        self.setStyleSheet(
            f"#statTile {{ background: {TILE_BACKGROUND.name()}; border-radius: 8px; }}"
        )
        self.value_label = QLabel("–")
        value_font = QFont(self.font())
        value_font.setPointSizeF(max(value_font.pointSizeF(), 10.0) * 1.7)
        value_font.setBold(True)
        self.value_label.setFont(value_font)
        self.value_label.setStyleSheet(f"color: {ACCENT.name()};")
        self.caption_label = QLabel(caption)
        self.caption_label.setStyleSheet("color: #4b5560;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.value_label)
        layout.addWidget(self.caption_label)
        self.setAccessibleName(caption)

    def set_value(self, text: str, tip: str = "") -> None:
        self.value_label.setText(text)
        self.setToolTip(tip)
        self.setAccessibleDescription(text)


class SessionDetailPanel(QWidget):
    """Everything recorded about the selected session."""

    STEP_COLUMNS = ("#", "Technique", "Where", "Planned", "Practised", "Result")

    def __init__(self, library: ContentLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self.title_label = QLabel()
        title_font = QFont(self.font())
        title_font.setPointSizeF(max(title_font.pointSizeF(), 10.0) * 1.35)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        self.facts_label = QLabel()
        self.facts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.facts_label.setWordWrap(True)
        self.steps_table = QTableWidget(0, len(self.STEP_COLUMNS))
        self.steps_table.setAccessibleName("Steps of the session")
        self.steps_table.setHorizontalHeaderLabels(list(self.STEP_COLUMNS))
        self.steps_table.verticalHeader().setVisible(False)
        self.steps_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.steps_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.steps_table.setAlternatingRowColors(True)
        self.steps_table.setWordWrap(False)
        header = self.steps_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.events_label = QLabel()
        self.events_label.setTextFormat(Qt.TextFormat.PlainText)
        self.events_label.setWordWrap(True)
        self.events_label.setAccessibleName("Pauses, pain reports and scores")
        # Facts on the left, the steps beside them: the zone names need the width.
        facts = QVBoxLayout()
        facts.setSpacing(8)
        facts.addWidget(self.title_label)
        facts.addWidget(self.facts_label)
        facts.addWidget(self.events_label)
        facts.addStretch(1)
        facts_box = QWidget()
        facts_box.setLayout(facts)
        facts_box.setMinimumWidth(300)
        facts_box.setMaximumWidth(420)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(facts_box)
        layout.addWidget(self.steps_table, 1)
        self.setAccessibleName("Session detail")
        self.show_session(None)

    def show_nothing(self, title: str, text: str) -> None:
        """No session to show: ``title`` and a line saying why or what to do."""
        self.title_label.setText(title)
        self.facts_label.setText(text)
        self.steps_table.setRowCount(0)
        self.events_label.setText("")

    def show_session(self, detail: SessionDetail | None) -> None:
        if detail is None:
            self.show_nothing("No session selected", "Pick a session in the list to see its steps.")
            return
        session = detail.session
        self.title_label.setText(session.routine_title)
        end = session.ended_at or session.checkpoint_at
        if end.date() == session.started_at.date():
            when = f"{date_text(session.started_at)}–{end:%H:%M}"
        else:  # resumed on a later day: the end needs its own date
            when = f"{date_text(session.started_at)} – {date_text(end)}"
        steps = f"{session.steps_done} of {session.step_count} steps done"
        if session.steps_skipped:
            steps += f", {session.steps_skipped} skipped"
        self.facts_label.setText(
            "\n".join(
                (
                    when,
                    f"{session.mode.label}  ·  {session.state.label}",
                    f"Practised {duration_text(session.actual_s)} of "
                    f"{duration_text(session.planned_s)} planned",
                    steps,
                )
            )
        )
        self.steps_table.setRowCount(len(detail.steps))
        for row, step in enumerate(detail.steps):
            technique = self._library.techniques.get(step.technique_id)
            zones = [self._library.zones[z] for z in step.zone_ids if z in self._library.zones]
            cells = (
                str(step.position + 1),
                technique.name if technique is not None else step.technique_id,
                describe_zones(zones) or " ".join(step.zone_ids),
                format_clock(round(step.budget_s)),
                format_clock(round(step.actual_s)),
                _status_text(step.status),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column in (0, 3, 4):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if step.status is StepStatus.SKIPPED:
                    item.setForeground(QColor("#7a828a"))
                self.steps_table.setItem(row, column, item)
        self.events_label.setText(self._events_text(detail))

    def _events_text(self, detail: SessionDetail) -> str:
        lines: list[str] = []
        pauses = detail.pauses
        if pauses:
            paused_s = sum(
                (pause.ended_at - pause.started_at).total_seconds()
                for pause in pauses
                if pause.ended_at is not None
            )
            noun = "pause" if len(pauses) == 1 else "pauses"
            lines.append(f"{len(pauses)} {noun}, {duration_text(paused_s)} in all.")
        for report in detail.pain_reports:
            where = f"step {report.step_index + 1}" if report.step_index is not None else "session"
            note = f": {report.note}" if report.note else ""
            lines.append(f"Pain reported at {report.reported_at:%H:%M} ({where}){note}")
        if detail.scores:
            by_technique: dict[str, list[float]] = defaultdict(list)
            for score in detail.scores:
                by_technique[score.technique_id].append(score.score)
            parts = [
                f"{self._technique_name(technique)} {fmean(values):.0f}"
                for technique, values in by_technique.items()
            ]
            lines.append("Practice scores: " + ", ".join(parts) + ".")
        return "\n".join(lines) if lines else "No pauses, pain reports or practice scores."

    def _technique_name(self, technique_id: str) -> str:
        technique = self._library.techniques.get(technique_id)
        return technique.name if technique is not None else technique_id


def _status_text(status: StepStatus) -> str:
    return {
        StepStatus.DONE: "Done",
        StepStatus.SKIPPED: "Skipped",
        StepStatus.CURRENT: "Stopped here",
        StepStatus.PENDING: "Not reached",
    }[status]


# -- charts (QtCharts is imported here only) --------------------------------------------------


class ChartPanel(QStackedWidget):
    """A chart, or a short line saying why there is none yet."""

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCharts import QChartView

        self.empty_text = empty_text

        self.view = QChartView()
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(260)
        self.empty_label = QLabel(empty_text)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: #5a6470;")
        self.addWidget(self.view)
        self.addWidget(self.empty_label)

    def show_chart(self, chart: Any) -> None:
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()  # the view gives up ownership of a replaced chart
        self.setCurrentWidget(self.view)

    def show_empty(self, text: str | None = None) -> None:
        """Show why there is no chart: ``text``, or the panel's usual "nothing yet"."""
        self.empty_label.setText(text if text is not None else self.empty_text)
        self.setCurrentWidget(self.empty_label)

    @property
    def showing_chart(self) -> bool:
        return self.currentWidget() is self.view


def _base_chart(title: str) -> Any:
    from PySide6.QtCharts import QChart

    chart = QChart()
    chart.setTitle(title)
    title_font = QFont(chart.titleFont())
    title_font.setPointSizeF(max(title_font.pointSizeF(), 10.0) * 1.15)
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.layout().setContentsMargins(0, 0, 0, 0)
    return chart


def technique_chart(items: Sequence[TechniqueTime], names: dict[str, str]) -> Any:
    """Horizontal bars: minutes practised per technique, the most practised on top."""
    from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QHorizontalBarSeries, QValueAxis

    chart = _base_chart("Practice time per technique (minutes)")
    bars = QBarSet("Minutes")
    bars.setColor(ACCENT)
    bars.setBorderColor(ACCENT)
    ordered = list(reversed(items))  # the category axis runs bottom-up
    minutes = [round(item.seconds / 60.0, 1) for item in ordered]
    bars.append(minutes)
    bars.setLabelColor(QColor("#2d333a"))
    series = QHorizontalBarSeries()
    series.append(bars)
    series.setBarWidth(0.7)
    series.setLabelsVisible(True)
    series.setLabelsFormat("@value")
    series.setLabelsPrecision(4)
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append([names.get(item.technique_id, item.technique_id) for item in ordered])
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    values = QValueAxis()
    values.setRange(0.0, max([*minutes, 1.0]) * 1.15)
    values.setLabelFormat("%d")
    values.applyNiceNumbers()
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(values)
    chart.legend().hide()
    return chart


def scores_chart(scores: Sequence[PracticeScore]) -> Any:
    """Each practice score as a dot over time, and a line through each day's average."""
    from PySide6.QtCharts import QDateTimeAxis, QLineSeries, QScatterSeries, QValueAxis
    from PySide6.QtCore import QDate, QDateTime, QTime

    chart = _base_chart("Practice scores over time")
    dots = QScatterSeries()
    dots.setName("Each score")
    dots.setMarkerSize(8.0)
    dots.setColor(QColor(SCORE_INK.red(), SCORE_INK.green(), SCORE_INK.blue(), 110))
    dots.setBorderColor(QColor(0, 0, 0, 0))
    daily = QLineSeries()
    daily.setName("Daily average")
    pen = daily.pen()
    pen.setColor(SCORE_INK)
    pen.setWidthF(2.5)
    daily.setPen(pen)
    daily.setPointsVisible(True)
    by_day: dict[Any, list[tuple[float, float]]] = defaultdict(list)
    for score in scores:
        moment = score.recorded_at
        at_ms = moment.timestamp() * 1000.0
        dots.append(at_ms, score.score)
        by_day[moment.date()].append((at_ms, score.score))
    for _day, points in sorted(by_day.items()):
        # Each day's average sits at the mean time of its scores, among its own dots.
        daily.append(fmean(p[0] for p in points), fmean(p[1] for p in points))
    chart.addSeries(dots)
    chart.addSeries(daily)
    times = QDateTimeAxis()
    times.setFormat("d MMM")
    first = min(score.recorded_at for score in scores)
    last = max(score.recorded_at for score in scores)
    start = QDateTime(QDate(first.year, first.month, first.day), QTime(0, 0)).addDays(-1)
    end = QDateTime(QDate(last.year, last.month, last.day), QTime(0, 0)).addDays(2)
    times.setRange(start, end)
    times.setTickCount(min(8, max(3, start.daysTo(end) + 1)))
    chart.addAxis(times, Qt.AlignmentFlag.AlignBottom)
    values = QValueAxis()
    values.setRange(0.0, 100.0)
    values.setTickCount(6)
    values.setLabelFormat("%d")
    chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
    for series in (dots, daily):
        series.attachAxis(times)
        series.attachAxis(values)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


# -- the window ----------------------------------------------------------------------------


class ProgressWindow(QWidget):
    """History → Progress…: how much and how well the learner has practised."""

    def __init__(
        self, store: HistoryStore, library: ContentLibrary, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._store = store
        self._library = library
        self.setWindowTitle("Practice progress")
        self.setAccessibleName("Practice progress")
        resize_to_fit(self, 1180, 760)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setStyleSheet(
            f"background: {BANNER_BACKGROUND.name()}; color: {BANNER_INK.name()};"
            "border-left: 5px solid #c79a00; padding: 8px 10px;"
        )
        self.banner.setAccessibleName("History notice")

        self.sessions_tile = StatTile("Sessions")
        self.time_tile = StatTile("Time practised")
        self.days_tile = StatTile("Days with practice")
        self.streak_tile = StatTile("Current streak")
        self.longest_tile = StatTile("Longest streak")
        tiles = QHBoxLayout()
        tiles.setSpacing(10)
        for tile in (
            self.sessions_tile,
            self.time_tile,
            self.days_tile,
            self.streak_tile,
            self.longest_tile,
        ):
            tiles.addWidget(tile)

        self.routine_filter = QComboBox()
        self.routine_filter.setAccessibleName("Show sessions of")
        self.routine_filter.setMinimumContentsLength(24)
        self.routine_filter.currentIndexChanged.connect(self._on_routine_filter_changed)
        filter_label = QLabel("&Routine:")
        filter_label.setBuddy(self.routine_filter)
        # Alt+E: the window's other mnemonics are R(outine), S(essions) and C(harts).
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.setToolTip("Save the whole history as a spreadsheet file")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        top = QHBoxLayout()
        top.addWidget(filter_label)
        top.addWidget(self.routine_filter)
        top.addStretch(1)
        self.export_status = QLabel()
        self.export_status.setTextFormat(Qt.TextFormat.PlainText)
        self.export_status.setStyleSheet("color: #4b5560;")
        top.addWidget(self.export_status)
        top.addWidget(self.export_button)

        self.model = SessionTableModel(self)
        self.proxy = SessionFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setAccessibleName("Past sessions")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(SessionTableModel.DATE, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SessionTableModel.ROUTINE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

        self.detail = SessionDetailPanel(library)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 340])
        self.splitter = splitter

        sessions_page = QWidget()
        sessions_layout = QVBoxLayout(sessions_page)
        sessions_layout.addLayout(top)
        sessions_layout.addWidget(splitter, 1)

        self.technique_panel = ChartPanel(
            "No practice time yet. Once you have run a session, the time spent on each "
            "technique shows here."
        )
        self.scores_panel = ChartPanel(
            "No practice scores yet. Trace strokes on the back diagram during a step to get "
            "a score for each one; they show here over time."
        )
        charts_page = QWidget()
        charts_layout = QGridLayout(charts_page)
        charts_layout.addWidget(self.technique_panel, 0, 0)
        charts_layout.addWidget(self.scores_panel, 0, 1)
        charts_layout.setColumnStretch(0, 1)
        charts_layout.setColumnStretch(1, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(sessions_page, "&Sessions")
        self.tabs.addTab(charts_page, "&Charts")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(12)
        layout.addWidget(self.banner)
        layout.addLayout(tiles)
        layout.addWidget(self.tabs, 1)

        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(self.close)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self.close)

        self._technique_names = {
            technique_id: technique.name for technique_id, technique in library.techniques.items()
        }
        self.refresh()
        # Open on the list of sessions, so the arrow keys go from session to session.
        self.table.setFocus()

    # -- public -----------------------------------------------------------------------

    @property
    def store(self) -> HistoryStore:
        return self._store

    def routine_id(self) -> str | None:
        """The routine the view is filtered to; None for all."""
        value = self.routine_filter.currentData()
        return value if isinstance(value, str) and value else None

    def set_routine(self, routine_id: str | None) -> None:
        """Show only one routine's sessions (None: all)."""
        index = self.routine_filter.findData(routine_id or "")
        if index >= 0:
            self.routine_filter.setCurrentIndex(index)

    def refresh(self) -> None:
        """Read the history again (after a session was recorded, or on opening)."""
        selected = self.selected_session_id()
        sessions = self._store.sessions()
        self._fill_routine_filter(sessions)
        self.model.set_sessions(sessions)
        self._update_banner()
        self._update_summary()
        self._select_session(selected)
        self.export_button.setEnabled(self._store.status is not StoreStatus.UNAVAILABLE)

    def selected_session_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        value = index.siblingAtColumn(0).data(SessionTableModel.SESSION_ROLE)
        return int(value) if value is not None else None

    def visible_sessions(self) -> list[int]:
        """The ids of the sessions in the table, in the order shown."""
        return [
            int(self.proxy.index(row, 0).data(SessionTableModel.SESSION_ROLE))
            for row in range(self.proxy.rowCount())
        ]

    # -- internals --------------------------------------------------------------------

    def _fill_routine_filter(self, sessions: Sequence[SessionRow]) -> None:
        current = self.routine_id()
        titles: dict[str, str] = {}
        for session in sessions:  # newest first: the latest title wins
            titles.setdefault(session.routine_id, session.routine_title)
        self.routine_filter.blockSignals(True)
        self.routine_filter.clear()
        self.routine_filter.addItem("All routines", "")
        for routine_id, title in sorted(titles.items(), key=lambda item: item[1].casefold()):
            self.routine_filter.addItem(title, routine_id)
        index = self.routine_filter.findData(current or "")
        self.routine_filter.setCurrentIndex(max(index, 0))
        self.routine_filter.blockSignals(False)
        self.proxy.set_routine(self.routine_id())

    def _update_banner(self) -> None:
        message = self._store.message
        self.banner.setText(message)
        self.banner.setVisible(bool(message))

    def _update_summary(self) -> None:
        routine_id = self.routine_id()
        totals = self._store.totals(routine_id)
        self._show_totals(totals)
        techniques = self._store.practice_time_by_technique(routine_id)
        if techniques:
            self.technique_panel.show_chart(technique_chart(techniques, self._technique_names))
        else:
            self.technique_panel.show_empty(self._not_recording_text("practice time"))
        scores = self._store.scores()
        if routine_id:
            in_routine = {row.id for row in self._store.sessions(routine_id)}
            scores = tuple(score for score in scores if score.session_id in in_routine)
        if scores:
            self.scores_panel.show_chart(scores_chart(scores))
        else:
            self.scores_panel.show_empty(self._not_recording_text("practice scores"))

    def _not_recording_text(self, what: str) -> str | None:
        """Why a chart is empty when the history records nothing: "yet" would promise
        that it fills in. None while recording (the panel's own text says "yet")."""
        status = self._store.status
        if status is StoreStatus.RECORDING:
            return None
        see_note = " (the note at the top says why)" if self._store.message else ""
        if status is StoreStatus.UNAVAILABLE:
            return (
                f"No {what} to show, and nothing is being recorded: the practice history "
                f"file could not be opened{see_note}. Your sessions still run as usual, "
                "but they will not show here."
            )
        return (
            f"No {what} to show, and nothing new is being recorded: the practice history "
            f"can be read but not written to{see_note}. Your sessions still run as usual, "
            "but they will not show here."
        )

    def _show_totals(self, totals: Totals) -> None:
        self.sessions_tile.set_value(
            str(totals.sessions), f"{totals.finished_sessions} played to the end"
        )
        self.time_tile.set_value(duration_text(totals.practice_s))
        last = totals.last_practice
        self.days_tile.set_value(
            str(totals.days_practised),
            f"Last practice: {last:%a} {last.day} {last:%B %Y}" if last else "",
        )
        self.streak_tile.set_value(
            _days_text(totals.current_streak),
            "Days in a row with practice, up to today. It stays alive until a whole day "
            "passes without practice.",
        )
        self.longest_tile.set_value(_days_text(totals.longest_streak))

    def _select_session(self, session_id: int | None) -> None:
        target = 0
        if session_id is not None:
            for row in range(self.proxy.rowCount()):
                if self.proxy.index(row, 0).data(SessionTableModel.SESSION_ROLE) == session_id:
                    target = row
                    break
        if self.proxy.rowCount():
            self.table.selectRow(target)
            self.table.setCurrentIndex(self.proxy.index(target, 0))
        else:  # the filter lists only routines with sessions: the history is empty
            self.detail.show_nothing(
                "No sessions yet",
                self._not_recording_text("sessions")
                or "Practise a routine, on a partner or as a dry run, and the session is "
                "listed here with its steps; the Charts tab fills in too.",
            )

    def _on_routine_filter_changed(self, _index: int) -> None:
        selected = self.selected_session_id()
        self.proxy.set_routine(self.routine_id())
        self._update_summary()
        self._select_session(selected)

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.detail.show_session(None)
            return
        session_id = current.siblingAtColumn(0).data(SessionTableModel.SESSION_ROLE)
        detail = self._store.session_detail(int(session_id))
        self.detail.show_session(detail)

    def _on_export_button_clicked(self) -> None:
        from massage_trainer.ui.history_recorder import export_history_csv

        export = export_history_csv(self, self._store, library=self._library)
        if export is not None:
            self.export_status.setText(f"Saved to {export.path.name}")
            self.export_status.setToolTip(export.summary)


__all__ = [
    "ProgressWindow",
    "SessionDetailPanel",
    "SessionFilterProxy",
    "SessionTableModel",
    "duration_text",
    "scores_chart",
    "technique_chart",
]
