"""The offline library: search techniques, zones and routines, read their pages.

``LibraryPanel`` holds a search field, three filters, a results list and a page view.
Pages are HTML built here from our own content, every text escaped; links inside them
use our own schemes (``technique:kneading``, ``zone:spine``, ``routine:beginner-20``)
and are handled in code. Any other link is opened in the browser only after the user
confirms, and the page view never fetches anything: it shows only the images this
module renders itself.

The panel talks to the rest of the window only through the ``SessionController``:
it listens to ``zone_selected`` (a click on the main diagram opens that zone's page)
and ``routine_changed``, and opens routines with ``load_routine``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QFontMetrics,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_trainer.domain.content import ContentLibrary, aftercare_items, preparation_items
from massage_trainer.domain.diagram import DiagramError
from massage_trainer.domain.models import (
    Pressure,
    Routine,
    SafetyTier,
    Side,
    Technique,
    TechniqueFamily,
    Zone,
)
from massage_trainer.domain.search import (
    MatchRank,
    SearchHit,
    allowed_zones,
    routines_using,
    search,
    steps_on_zone,
    techniques_allowed_on,
    zone_title,
)
from massage_trainer.domain.session import SessionState
from massage_trainer.ui.controller import (
    SessionController,
    describe_zones,
    format_clock,
    pressure_text,
)

INTERNAL_SCHEMES = ("technique", "zone", "routine")
"""Link schemes the panel handles itself; every other link needs the user's consent."""

IMAGE_SCHEME = "library-image"
"""The only resources the page view shows: images this module renders."""

DIAGRAM_SIZE = QSize(220, 290)
"""The small diagram on technique and zone pages, in device-independent pixels."""

_TIER_COLOUR = {
    SafetyTier.SAFE: "#2b7046",
    SafetyTier.CAUTION: "#8a5d00",
    SafetyTier.NO_GO: "#9b1f17",
}
_TIER_WORDS = {
    SafetyTier.SAFE: "Safe zone",
    SafetyTier.CAUTION: "Caution zone",
    SafetyTier.NO_GO: "No-go zone",
}

_STYLE = """
h1 { font-size: x-large; margin-bottom: 2px; }
h2 { font-size: large; margin-top: 14px; margin-bottom: 4px; }
.sub { color: #5a6470; }
.tier { font-weight: bold; }
.caption { color: #5a6470; font-size: small; }
td.key { color: #5a6470; padding-right: 12px; }
"""


def _e(text: object) -> str:
    """Escape for HTML text and attribute values (quotes too)."""
    return html.escape(str(text), quote=True)


def _link(href: str, text: str) -> str:
    return f'<a href="{_e(href)}">{_e(text)}</a>'


class SearchResultsModel(QAbstractListModel):
    """The search hits as a list: title and a second line, the link in ``LinkRole``."""

    LinkRole = Qt.ItemDataRole.UserRole + 1
    KindRole = Qt.ItemDataRole.UserRole + 2
    TitleRole = Qt.ItemDataRole.UserRole + 3
    SubtitleRole = Qt.ItemDataRole.UserRole + 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def hit(self, row: int) -> SearchHit:
        return self._hits[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._hits)

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{hit.title}\n{hit.subtitle}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.title}, {self.data(index, self.SubtitleRole)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Matched: {hit.matched}" if hit.matched else hit.subtitle
        if role == self.LinkRole:
            return hit.link
        if role == self.TitleRole:
            return hit.title
        if role == self.SubtitleRole:
            # A hit found only in its longer texts says where, or it looks like noise.
            if hit.rank is MatchRank.DESCRIPTION and hit.matched:
                return f"Mentions: {hit.matched}"
            return hit.subtitle
        if role == self.KindRole:
            return hit.kind.value
        return None


class _HitDelegate(QStyledItemDelegate):
    """Draws a result as its title over a smaller, muted second line."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        title = str(index.data(SearchResultsModel.TitleRole) or "")
        subtitle = str(index.data(SearchResultsModel.SubtitleRole) or "")
        self.initStyleOption(option, index)
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_colour = palette.highlightedText() if selected else palette.text()
        rect = option.rect.adjusted(6, 3, -6, -3)
        title_font = QFont(option.font)
        title_font.setBold(True)
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() * 0.88, 6.0))
        title_metrics = QFontMetrics(title_font)
        title_h = title_metrics.height()
        title = title_metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
        subtitle = QFontMetrics(small).elidedText(
            subtitle, Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.save()
        painter.setFont(title_font)
        painter.setPen(text_colour.color())
        painter.drawText(
            rect.adjusted(0, 0, 0, -(rect.height() - title_h)),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title,
        )
        painter.setFont(small)
        if not selected:
            painter.setPen(palette.placeholderText().color())
        painter.drawText(
            rect.adjusted(0, title_h, 0, 0),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
            subtitle,
        )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() * 0.88, 6.0))
        bold = QFont(option.font)
        bold.setBold(True)
        height = QFontMetrics(bold).height() + QFontMetrics(small).height() + 8
        return QSize(max(option.rect.width(), 40), height)


class LibraryPageView(QTextBrowser):
    """A page view that shows only our own rendered images and never follows links.

    Link clicks arrive as ``anchorClicked``; the panel decides what they do.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self._images: dict[str, QImage] = {}
        self.document().setDefaultStyleSheet(_STYLE)

    def set_page(self, page_html: str, images: dict[str, QImage]) -> None:
        self._images = dict(images)
        self.setHtml(page_html)

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        # Nothing from the network or the disk: only images we rendered for this page.
        url = QUrl(name) if isinstance(name, str) else name
        if url.scheme() == IMAGE_SCHEME:
            return self._images.get(url.toString())
        return None


class LibraryPanel(QWidget):
    """Search field, filters, results and a page view over the content library."""

    page_changed = Signal(str)
    """The link of the page now shown ("technique:kneading"), "" for the start page."""

    def __init__(self, controller: SessionController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("library-panel")
        self._controller = controller
        self._page = ""
        self._history: list[tuple[str, int]] = []
        """Earlier pages, each with how far down it was scrolled, for Back."""
        self._browsing = False
        """Whether the page on show was reached by moving through the results: the
        next result then replaces it instead of going onto Back's history."""

        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("Search techniques, zones, routines")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search the library")

        self.family_filter = QComboBox()
        self.family_filter.setAccessibleName("Filter by technique family")
        self.family_filter.setToolTip(
            "Techniques of this family, zones that allow it, and routines that use it"
        )
        self.family_filter.addItem("Any family", None)
        for family in TechniqueFamily:
            self.family_filter.addItem(family.label, family.value)
        self.pressure_filter = QComboBox()
        self.pressure_filter.setAccessibleName("Filter by pressure")
        self.pressure_filter.setToolTip(
            "Techniques with this usual pressure, zones where it is the most allowed, "
            "and routines with a step at this pressure"
        )
        self.pressure_filter.addItem("Any pressure", None)
        for pressure in Pressure:
            self.pressure_filter.addItem(pressure.label, pressure.value)
        self.zone_filter = QComboBox()
        self.zone_filter.setAccessibleName("Filter by zone")
        self.zone_filter.setToolTip(
            "Techniques allowed on this zone, the zone itself, and routines with a step on it"
        )
        self.zone_filter.addItem("Any zone", None)
        for zone in self._library.zones.values():
            self.zone_filter.addItem(zone_title(zone), zone.id)
        for combo in (self.family_filter, self.pressure_filter, self.zone_filter):
            # Each asks for room for its longest entry, so none is cut ("Any pressu…").
            # The panel lives in a dock, so the filters take two rows (family and
            # pressure, then the longer zone names) and stay narrow together.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.results_model = SearchResultsModel(self)
        self.results = QListView()
        self.results.setModel(self.results_model)
        self.results.setAccessibleName("Search results")
        self.results.setItemDelegate(_HitDelegate(self.results))
        self.results.setAlternatingRowColors(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.status = QLabel()
        self.status.setAccessibleName("Search status")

        self.back_button = QToolButton()
        self.back_button.setText("Back")
        self.back_button.setToolTip("Back to the previous page (Alt+Left)")
        self.back_button.setEnabled(False)
        self.page_view = LibraryPageView()
        self.page_view.setAccessibleName("Library page")

        filters = QGridLayout()
        filters.addWidget(self.family_filter, 0, 0)
        filters.addWidget(self.pressure_filter, 0, 1)
        filters.addWidget(self.zone_filter, 1, 0, 1, 2)
        filters.setColumnStretch(0, 1)
        filters.setColumnStretch(1, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.search_field)
        top_layout.addLayout(filters)
        top_layout.addWidget(self.status)
        top_layout.addWidget(self.results)
        page_box = QWidget()
        page_layout = QVBoxLayout(page_box)
        page_layout.setContentsMargins(0, 0, 0, 0)
        nav = QHBoxLayout()
        nav.addWidget(self.back_button)
        nav.addStretch(1)
        page_layout.addLayout(nav)
        page_layout.addWidget(self.page_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(page_box)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

        self.search_field.installEventFilter(self)
        self.results.installEventFilter(self)
        self.search_field.textChanged.connect(self._on_search_field_text_changed)
        self.search_field.returnPressed.connect(self._on_search_field_return_pressed)
        for combo in (self.family_filter, self.pressure_filter, self.zone_filter):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.results.activated.connect(self._on_results_activated)
        self.results.clicked.connect(self._on_results_activated)
        # Master/detail: the page follows the current result as the arrow keys move it.
        self.results.selectionModel().currentChanged.connect(self._on_results_current_changed)
        self.page_view.anchorClicked.connect(self._on_page_view_anchor_clicked)
        self.back_button.clicked.connect(self.back)
        back = QShortcut(QKeySequence(QKeySequence.StandardKey.Back), self)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self.back)
        controller.zone_selected.connect(self._on_controller_zone_selected)
        controller.routine_changed.connect(self._on_controller_routine_changed)
        controller.library_changed.connect(self.on_library_changed)

        self.refresh_results()
        self._show("", remember=False)
        # Built by a click on a zone, the library opens on that zone's page (Back leads
        # to the start page).
        if controller.selected_zone():
            self.show_zone(controller.selected_zone())

    @property
    def _library(self) -> ContentLibrary:
        # Always the controller's: it swaps in a reloaded library after the editor saves.
        return self._controller.library

    # -- public API -------------------------------------------------------------------

    def focus_search(self) -> None:
        """Put the cursor in the search field with its text selected (for Ctrl+F)."""
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def current_page(self) -> str:
        """The link of the page on show ("zone:spine"), "" for the start page."""
        return self._page

    def page_text(self) -> str:
        """The page's text as plain text (what a screen reader would read)."""
        return self.page_view.toPlainText()

    def refresh_results(self) -> None:
        """Run the search again with the field's text and the filters."""
        hits = search(
            self._library,
            self.search_field.text(),
            family=_enum_or_none(TechniqueFamily, self.family_filter.currentData()),
            pressure=_enum_or_none(Pressure, self.pressure_filter.currentData()),
            zone=self.zone_filter.currentData() or None,
        )
        self.results_model.set_hits(hits)
        query = self.search_field.text().strip()
        if hits:
            noun = "result" if len(hits) == 1 else "results"
            self.status.setText(f"{len(hits)} {noun}")
        elif query and self._filtered():
            # Say that the filters hide what the words alone would find.
            unfiltered = len(search(self._library, query))
            if unfiltered:
                noun = "result" if unfiltered == 1 else "results"
                self.status.setText(
                    f"Nothing found for “{query}” with these filters "
                    f"({unfiltered} {noun} with any family, pressure and zone)"
                )
            else:
                self.status.setText(f"Nothing found for “{query}”")
        elif query:
            self.status.setText(f"Nothing found for “{query}”")
        else:
            self.status.setText("Nothing matches these filters")

    def _filtered(self) -> bool:
        return any(
            combo.currentData()
            for combo in (self.family_filter, self.pressure_filter, self.zone_filter)
        )

    def open_link(self, url: QUrl | str) -> None:
        """Follow a link: our own schemes in the panel; others only after a confirmation."""
        url = QUrl(url) if isinstance(url, str) else url
        scheme = url.scheme()
        target = url.path()
        if scheme in INTERNAL_SCHEMES:
            if scheme == "routine":
                self._open_routine(target)
            else:
                self._show(f"{scheme}:{target}")
            return
        self._confirm_external(url)

    def show_technique(self, technique_id: str) -> None:
        self._show(f"technique:{technique_id}")

    def show_zone(self, zone_id: str) -> None:
        self._show(f"zone:{zone_id}")

    def show_routine(self, routine_id: str) -> None:
        """The routine's overview page (without loading it into the session)."""
        self._show(f"routine:{routine_id}")

    def back(self) -> None:
        """Go back to the page shown before this one, scrolled where it was left."""
        if self._history:
            page, scroll = self._history.pop()
            self._show(page, remember=False, scroll=scroll)

    def on_library_changed(self) -> None:
        """The content was reloaded (a routine saved, deleted or imported): show it.

        The results and the page on show are built again from the new library; the
        page keeps its place, and a page whose routine is gone says so.
        """
        self.refresh_results()
        self._show(self._page, remember=False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down from the search field goes into the results, Up from the first result
        # back to the field: a search is used without reaching for the mouse.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            down = key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown)
            if watched is self.search_field and down and self.results_model.rowCount() > 0:
                if not self.results.currentIndex().isValid():
                    self.results.setCurrentIndex(self.results_model.index(0, 0))
                self.results.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
            if (
                watched is self.results
                and key == Qt.Key.Key_Up
                and self.results.currentIndex().row() <= 0
            ):
                self.search_field.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    # -- slots ------------------------------------------------------------------------

    def _on_search_field_text_changed(self, _text: str) -> None:
        self.refresh_results()

    def _on_filter_changed(self, _index: int) -> None:
        self.refresh_results()

    def _on_search_field_return_pressed(self) -> None:
        if self.results_model.rowCount() > 0:
            first = self.results_model.index(0, 0)
            self.results.setCurrentIndex(first)
            self._on_results_activated(first)

    def _on_results_activated(self, index: QModelIndex) -> None:
        # A routine result shows the routine's page; its link there opens it for
        # practice, so browsing the results never swaps the session's routine.
        if index.isValid():
            self._show(self.results_model.hit(index.row()).link, browsing=True)

    def _on_results_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show(self.results_model.hit(current.row()).link, browsing=True)

    def _on_page_view_anchor_clicked(self, url: QUrl) -> None:
        self.open_link(url)

    def _on_controller_zone_selected(self, zone_id: str) -> None:
        if zone_id:
            self.show_zone(zone_id)

    def _on_controller_routine_changed(self) -> None:
        # Zone pages list the current routine's steps, the start page names it, and a
        # routine page offers to open its routine unless it is the current one.
        if not self._page.startswith("technique:"):
            self._show(self._page, remember=False)

    # -- navigation -------------------------------------------------------------------

    def _open_routine(self, routine_id: str) -> None:
        """Load the routine into the session (after a check if one is under way)."""
        if routine_id not in self._library.routines:
            self._show(f"routine:{routine_id}")
            return
        current = self._controller.routine
        busy = self._controller.state() in (SessionState.RUNNING, SessionState.PAUSED)
        if current is None or current.id != routine_id:
            if busy and not self._confirm_routine_switch(routine_id):
                return
            self._controller.load_routine(routine_id)
        self._show(f"routine:{routine_id}")

    def _confirm_routine_switch(self, routine_id: str) -> bool:
        title = self._library.routines[routine_id].title
        answer = QMessageBox.question(
            self,
            "Open routine",
            f"Open “{title}”? The session under way will start over with the new routine.",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Open

    def _confirm_external(self, url: QUrl) -> None:
        shown = url.toDisplayString()
        if not url.isValid() or url.scheme() not in ("http", "https", "mailto"):
            QMessageBox.information(
                self, "Link not opened", f"This link cannot be opened from the library:\n{shown}"
            )
            return
        answer = QMessageBox.question(
            self,
            "Open link",
            f"This link leads outside Massage Trainer:\n\n{shown}\n\nOpen it in your web browser?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Open:
            QDesktopServices.openUrl(url)

    def _show(
        self,
        page: str,
        *,
        remember: bool = True,
        scroll: int | None = None,
        browsing: bool = False,
    ) -> None:
        """Show ``page``; ``scroll`` is where to scroll it (kept when it is shown again).

        ``browsing``: the page is a result reached in the results list. Results seen
        one after another take each other's place, so Back leads to the page shown
        before the browsing started (or to the last result, from a link followed on it).
        """
        bar = self.page_view.verticalScrollBar()
        if scroll is None and page == self._page:
            scroll = bar.value()
        builder = _PageBuilder(self._library, self._controller.routine)
        scheme, _, item_id = page.partition(":")
        if scheme == "technique" and item_id in self._library.techniques:
            body, images = builder.technique_page(self._library.techniques[item_id])
        elif scheme == "zone" and item_id in self._library.zones:
            body, images = builder.zone_page(self._library.zones[item_id])
        elif scheme == "routine" and item_id in self._library.routines:
            body, images = builder.routine_page(self._library.routines[item_id])
        elif page:
            body, images = builder.missing_page(page), {}
        else:
            body, images = builder.start_page(), {}
        if remember and page != self._page and not (browsing and self._browsing):
            self._history.append((self._page, bar.value()))
            del self._history[:-50]
        if page != self._page:
            self._browsing = browsing
        self._page = page
        self.back_button.setEnabled(bool(self._history))
        self.page_view.set_page(body, images)
        if scroll:
            bar.setValue(scroll)
        self.page_changed.emit(page)


def _enum_or_none(kind: Any, value: object) -> Any:
    return kind(value) if isinstance(value, str) and value else None


# -- pages ------------------------------------------------------------------------------


class _PageBuilder:
    """Builds the HTML of each page from the content; every text goes through escape."""

    def __init__(self, library: ContentLibrary, routine: Routine | None) -> None:
        self.library = library
        self.routine = routine

    def start_page(self) -> str:
        parts = [
            "<h1>Library</h1>",
            "<p>Type in the search field to find a technique, a zone of the back or a "
            "routine: by name, by another word for it (<i>kneading</i>, <i>tapping</i>), "
            "by its family, or by who a routine is for (<i>beginner</i>). The arrow keys "
            "move through the results and show each one here. Click a zone on the "
            "diagram to read its rules here.</p>",
        ]
        if self.routine is not None:
            parts.append(
                "<p>Current routine: "
                + _link(f"routine:{self.routine.id}", self.routine.title)
                + "</p>"
            )
        parts.append("<h2>Techniques</h2><p>")
        parts.append(
            " · ".join(_link(f"technique:{t.id}", t.name) for t in self.library.techniques.values())
        )
        parts.append("</p><h2>Zones of the back</h2>")
        for tier in (SafetyTier.NO_GO, SafetyTier.CAUTION, SafetyTier.SAFE):
            zones = [z for z in self.library.zones.values() if z.tier is tier]
            if zones:
                colour = _TIER_COLOUR[tier]
                parts.append(
                    f'<p><span class="tier" style="color:{colour}">'
                    f"{_e(_TIER_WORDS[tier])}s:</span> "
                    + " · ".join(_link(f"zone:{z.id}", zone_title(z)) for z in zones)
                    + "</p>"
                )
        parts.append("<h2>Routines</h2><ul>")
        for routine in self.library.routines.values():
            parts.append(f"<li>{_link(f'routine:{routine.id}', routine.title)}</li>")
        parts.append("</ul>")
        return "".join(parts)

    def missing_page(self, page: str) -> str:
        scheme, _, item_id = page.partition(":")
        if scheme == "routine":
            return (
                "<h1>Routine not found</h1>"
                f"<p>There is no routine “{_e(item_id)}” any more: it may have been "
                "deleted or renamed in the routine editor.</p>"
            )
        return f"<h1>Not found</h1><p>There is no library page for {_e(page)}.</p>"

    def technique_page(self, technique: Technique) -> tuple[str, dict[str, QImage]]:
        allowed = allowed_zones(self.library, technique)
        allowed_ids = {z.id for z in allowed}
        not_allowed = [z for z in self.library.zones.values() if z.id not in allowed_ids]
        image_url = f"{IMAGE_SCHEME}:technique/{technique.id}"
        image = render_diagram_image(
            self.library, worked=allowed_ids, movement_on=allowed_ids, technique=technique
        )
        pressure = technique.pressure.label
        if technique.max_pressure is not technique.pressure:
            pressure += f", up to {technique.max_pressure.label.lower()}"
        out = [
            f"<h1>{_e(technique.name)}</h1>",
            f'<p class="sub">{_e(technique.family.label)}',
        ]
        others = [a for a in technique.aliases if a.casefold() != technique.name.casefold()]
        if others:
            out.append(" · also searched as: " + _e(", ".join(others)))
        out.append("</p>")
        out.append(f"<h2>What it is for</h2><p>{_e(technique.purpose)}</p>")
        out.append('<table cellspacing="0" cellpadding="2">')
        for key, value in (
            ("Hands", technique.hand_part),
            ("Pressure", pressure),
            ("Tempo", technique.tempo.value.capitalize()),
            ("Direction", technique.direction.label),
        ):
            out.append(f'<tr><td class="key">{_e(key)}</td><td>{_e(value)}</td></tr>')
        out.append("</table>")
        # One column only: the panel is often a narrow dock.
        out.append(
            f'<p align="center"><img src="{_e(image_url)}" width="{DIAGRAM_SIZE.width()}" '
            f'height="{DIAGRAM_SIZE.height()}" alt="Where it may be used"><br>'
            '<span class="caption">Strong green: may be used here. Hatched: never. '
            "Dotted: light touch only, where allowed. Arrows: the movement.</span></p>"
        )
        out.append("<h2>How to do it</h2><ol>")
        out.extend(f"<li>{_e(step)}</li>" for step in technique.how_to)
        out.append("</ol>")
        if technique.mistakes:
            out.append("<h2>Common mistakes</h2><ul>")
            out.extend(f"<li>{_e(mistake)}</li>" for mistake in technique.mistakes)
            out.append("</ul>")
        out.append("<h2>Where it may be used</h2>")
        out.append(f"<p>{self._zone_links(allowed) or 'Nowhere on the back.'}</p>")
        out.append("<h2>Where it must not be used</h2>")
        out.append(f"<p>{self._zone_links(not_allowed) or 'No zone is ruled out.'}</p>")
        users = routines_using(self.library, technique.id)
        out.append("<h2>Routines that use it</h2>")
        if users:
            out.append("<ul>")
            for routine in users:
                numbers = [
                    str(i + 1) for i, s in enumerate(routine.steps) if s.technique == technique.id
                ]
                label = "step" if len(numbers) == 1 else "steps"
                out.append(
                    f"<li>{_link(f'routine:{routine.id}', routine.title)} "
                    f'<span class="sub">({label} {_e(", ".join(numbers))})</span></li>'
                )
            out.append("</ul>")
        else:
            out.append("<p>No routine uses it yet.</p>")
        return "".join(out), {image_url: image}

    def zone_page(self, zone: Zone) -> tuple[str, dict[str, QImage]]:
        image_url = f"{IMAGE_SCHEME}:zone/{zone.id}"
        image = render_diagram_image(self.library, worked={zone.id}, outline={zone.id})
        colour = _TIER_COLOUR[zone.tier]
        if zone.tier is SafetyTier.NO_GO:
            pressure = "None: keep your hands off, let strokes pass around it"
        else:
            pressure = f"{zone.max_pressure.label} at most"
        sub = _e(zone.name)
        if zone.side in (Side.LEFT, Side.RIGHT):
            sub += f", {_e(zone.side.value)} side"
        if zone.aliases:
            sub += " · also searched as: " + _e(", ".join(zone.aliases))
        out = [
            f"<h1>{_e(zone_title(zone))}</h1>",
            f'<p class="sub">{sub}</p>',
            f'<p><span class="tier" style="color:{colour}">{_e(_TIER_WORDS[zone.tier])}</span></p>',
            f"<p><b>Pressure allowed:</b> {_e(pressure)}</p>",
            f'<p align="center"><img src="{_e(image_url)}" width="{DIAGRAM_SIZE.width()}" '
            f'height="{DIAGRAM_SIZE.height()}" alt="The zone on the back"><br>'
            '<span class="caption">The zone is ringed in dark blue.</span></p>',
            f"<h2>Why</h2><p>{_e(zone.reason)}</p>",
            f"<h2>Where to find it</h2><p>{_e(zone.description)}</p>",
            "<h2>Techniques allowed</h2>",
        ]
        techniques = techniques_allowed_on(self.library, zone)
        if techniques:
            out.append(
                "<p>" + " · ".join(_link(f"technique:{t.id}", t.name) for t in techniques) + "</p>"
            )
        else:
            out.append("<p>None. No technique and no pressure are used here.</p>")
        out.append("<h2>In the current routine</h2>")
        if self.routine is None:
            out.append("<p>No routine is open.</p>")
        else:
            found = steps_on_zone(self.routine, zone.id)
            out.append(f"<p>{_link(f'routine:{self.routine.id}', self.routine.title)}")
            if not found:
                out.append(": no step works on this zone.</p>")
            else:
                out.append("</p><ul>")
                for index, step in found:
                    technique = self.library.techniques.get(step.technique)
                    name = technique.name if technique is not None else step.technique
                    out.append(
                        f"<li>Step {index + 1}: {_link(f'technique:{step.technique}', name)}, "
                        f"{_e(format_clock(step.duration_s))}, "
                        f"{_e(pressure_text(step.pressure).lower())}</li>"
                    )
                out.append("</ul>")
        return "".join(out), {image_url: image}

    def routine_page(self, routine: Routine) -> tuple[str, dict[str, QImage]]:
        total = routine.total_seconds
        out = [
            f"<h1>{_e(routine.title)}</h1>",
            f'<p class="sub">{_e(routine.audience.label)} · {len(routine.steps)} steps · '
            f"total time {_e(format_clock(total))}</p>",
            f"<p>{_e(routine.summary)}</p>",
        ]
        current = self.routine is not None and self.routine.id == routine.id
        if not current:
            out.append(
                "<p>" + _link(f"routine:{routine.id}", "Open this routine for practice") + "</p>"
            )
        out.append("<h2>Steps</h2>")
        out.append('<table cellspacing="0" cellpadding="3" width="100%">')
        out.append(
            "<tr><th align=left>#</th><th align=left>Technique</th><th align=left>Time</th>"
            "<th align=left>Pressure</th><th align=left>Zones</th></tr>"
        )
        for number, step in enumerate(routine.steps, start=1):
            technique = self.library.techniques.get(step.technique)
            name = technique.name if technique is not None else step.technique
            zones = [self.library.zones[z] for z in step.zones if z in self.library.zones]
            out.append(
                f"<tr><td>{number}</td>"
                f"<td>{_link(f'technique:{step.technique}', name)}</td>"
                f"<td>{_e(format_clock(step.duration_s))}</td>"
                f"<td>{_e(step.pressure.label)}</td>"
                f"<td>{_e(describe_zones(zones) or ', '.join(step.zones))}</td></tr>"
            )
        out.append(
            f"<tr><td></td><td><b>Total</b></td><td><b>{_e(format_clock(total))}</b></td>"
            "<td></td><td></td></tr></table>"
        )
        items = preparation_items(routine, self.library.safety)
        if items:
            out.append("<h2>Preparation</h2><ul>")
            out.extend(f"<li><b>{_e(p.title)}</b>: {_e(p.detail)}</li>" for p in items)
            out.append("</ul>")
        after = aftercare_items(routine, self.library.safety)
        if after:
            out.append("<h2>Aftercare</h2><ul>")
            out.extend(f"<li><b>{_e(a.title)}</b>: {_e(a.detail)}</li>" for a in after)
            out.append("</ul>")
        return "".join(out), {}

    def _zone_links(self, zones: Iterable[Zone]) -> str:
        return " · ".join(_link(f"zone:{z.id}", zone_title(z)) for z in zones)


def render_diagram_image(
    library: ContentLibrary,
    *,
    worked: Iterable[str] = (),
    movement_on: Iterable[str] = (),
    outline: Iterable[str] = (),
    technique: Technique | None = None,
    size: QSize = DIAGRAM_SIZE,
    device_pixel_ratio: float = 2.0,
) -> QImage:
    """A small picture of the back: ``worked`` zones filled, no-go hatched, arrows.

    Drawn with the handout's painter code, at twice the size so it stays sharp on
    high-density screens. An empty image when the diagram geometry is missing.
    """
    from massage_trainer.ui.handout import DiagramStyle, paint_back_diagram

    image = QImage(
        round(size.width() * device_pixel_ratio),
        round(size.height() * device_pixel_ratio),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDevicePixelRatio(device_pixel_ratio)
    image.fill(QColor("#f3f6f9"))
    style = DiagramStyle(
        worked=frozenset(worked) | frozenset(movement_on),
        movement=technique.direction if technique is not None and movement_on else None,
        outline=frozenset(outline),
    )
    painter = QPainter(image)
    try:
        paint_back_diagram(
            painter, QRectF(4, 4, size.width() - 8, size.height() - 8), library, style
        )
    except DiagramError:
        # The diagram is a help, not the content: the page still reads without it.
        pass
    finally:
        painter.end()
    return image


def make_library_dock(controller: SessionController, parent: QWidget | None = None) -> QDockWidget:
    """A dock titled "Library" holding a :class:`LibraryPanel` (``dock.widget()``)."""
    dock = QDockWidget("Library", parent)
    dock.setObjectName("library-dock")
    panel = LibraryPanel(controller, dock)
    dock.setWidget(panel)
    dock.setAccessibleName("Library")
    return dock


__all__ = [
    "INTERNAL_SCHEMES",
    "LibraryPageView",
    "LibraryPanel",
    "SearchResultsModel",
    "make_library_dock",
    "render_diagram_image",
]
