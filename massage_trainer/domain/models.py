"""The content model: zones, techniques, routines and the safety texts around them.

Every model is frozen and forbids unknown fields, so a typo in a content file is an
error that names the field rather than a silently ignored key. Every file that holds
these models carries a ``schema_version``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SCHEMA_VERSION = 1
"""The content schema version this build reads and writes."""

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
"""What every content id must match (and what pydantic names when one does not)."""

Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN, strip_whitespace=False)]
"""A short machine id: lower-case letters, digits, ``-`` and ``_``; at most 64 characters."""

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Side(StrEnum):
    """Which side of the back, seen from the receiver's point of view."""

    LEFT = "left"
    RIGHT = "right"
    CENTRE = "centre"
    BOTH = "both"


class SafetyTier(StrEnum):
    SAFE = "safe"
    CAUTION = "caution"
    NO_GO = "no-go"


class Pressure(StrEnum):
    """How hard the hands press, from none (resting contact) to firm."""

    NONE = "none"
    LIGHT = "light"
    MODERATE = "moderate"
    FIRM = "firm"

    @property
    def rank(self) -> int:
        return _PRESSURE_RANK[self]

    @property
    def label(self) -> str:
        return _PRESSURE_LABEL[self]


_PRESSURE_RANK = {Pressure.NONE: 0, Pressure.LIGHT: 1, Pressure.MODERATE: 2, Pressure.FIRM: 3}
_PRESSURE_LABEL = {
    Pressure.NONE: "No pressure",
    Pressure.LIGHT: "Light",
    Pressure.MODERATE: "Moderate",
    Pressure.FIRM: "Firm",
}


class TechniqueFamily(StrEnum):
    EFFLEURAGE = "effleurage"
    FRICTION = "friction"
    PETRISSAGE = "petrissage"
    TAPOTEMENT = "tapotement"
    VIBRATION = "vibration"
    COMPRESSION = "compression"
    STRIPPING = "stripping"
    REST = "rest"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Direction(StrEnum):
    """How a technique moves over the back. Up means towards the head."""

    UP = "up"
    DOWN = "down"
    OUTWARD = "outward"
    INWARD = "inward"
    CIRCULAR = "circular"
    IN_PLACE = "in-place"
    STATIC = "static"

    @property
    def label(self) -> str:
        return _DIRECTION_LABEL[self]


_DIRECTION_LABEL = {
    Direction.UP: "Upwards, towards the head",
    Direction.DOWN: "Downwards, towards the hips",
    Direction.OUTWARD: "Outwards, away from the spine",
    Direction.INWARD: "Inwards, towards the spine (never onto it)",
    Direction.CIRCULAR: "Small circles",
    Direction.IN_PLACE: "On the spot",
    Direction.STATIC: "Still, a steady hold",
}


class Tempo(StrEnum):
    SLOW = "slow"
    STEADY = "steady"
    BRISK = "brisk"
    STILL = "still"


class Audience(StrEnum):
    BEGINNER = "beginner"
    HOME = "home"
    PROFESSIONAL = "professional"
    RELIEF = "relief"

    @property
    def label(self) -> str:
        return _AUDIENCE_LABEL[self]


_AUDIENCE_LABEL = {
    Audience.BEGINNER: "For beginners",
    Audience.HOME: "Classic home routines",
    Audience.PROFESSIONAL: "Professional sequence",
    Audience.RELIEF: "Short relief routines",
}


class Zone(_Frozen):
    """An area of the back with its safety rule."""

    id: Identifier
    name: ShortText
    side: Side
    tier: SafetyTier
    max_pressure: Pressure
    allowed_families: tuple[TechniqueFamily, ...]
    reason: LongText
    """Why the rule is what it is, in plain words."""
    description: LongText
    """Where the zone is, so a learner can find it with their hands."""
    shape_id: Identifier
    """The id of this zone's element in the diagram SVG."""
    aliases: tuple[ShortText, ...] = ()
    """Everyday and anatomical words for the area ("backbone", "scapula"), so a search
    finds the zone by the word a person knows."""

    @model_validator(mode="after")
    def _tier_is_consistent(self) -> Zone:
        if self.tier is SafetyTier.NO_GO and (
            self.max_pressure is not Pressure.NONE or self.allowed_families
        ):
            raise ValueError("a no-go zone allows no pressure and no technique")
        if self.tier is SafetyTier.CAUTION and self.max_pressure.rank > Pressure.LIGHT.rank:
            raise ValueError("a caution zone allows light pressure at most")
        return self


class Technique(_Frozen):
    id: Identifier
    name: ShortText
    family: TechniqueFamily
    aliases: tuple[ShortText, ...] = ()
    purpose: LongText
    hand_part: ShortText
    """The part of the hand (or arm) that does the work."""
    pressure: Pressure
    """The usual pressure; a step may ask for less."""
    max_pressure: Pressure
    tempo: Tempo
    direction: Direction
    how_to: tuple[LongText, ...] = Field(min_length=1)
    mistakes: tuple[LongText, ...] = ()
    allowed_tiers: tuple[SafetyTier, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Technique:
        if SafetyTier.NO_GO in self.allowed_tiers:
            raise ValueError("no technique may be used on a no-go zone")
        if self.pressure.rank > self.max_pressure.rank:
            raise ValueError("the usual pressure is above the technique's maximum")
        return self


class Step(_Frozen):
    """One step of a routine: a technique on some zones for a time."""

    technique: Identifier
    zones: tuple[Identifier, ...] = Field(min_length=1, max_length=32)
    duration_s: int = Field(ge=5, le=3600)
    """The time budget for the step, in seconds."""
    repetitions: int | None = Field(default=None, ge=1, le=1000)
    """How many strokes or movements, where the source counts them."""
    cycles: int | None = Field(default=None, ge=1, le=100)
    """How many passes or rounds, where the source counts them."""
    pressure: Pressure
    direction: Direction
    instruction: LongText
    cautions: tuple[LongText, ...] = ()


class Routine(_Frozen):
    schema_version: Literal[1] = 1
    id: Identifier
    title: ShortText
    audience: Audience
    summary: LongText
    steps: tuple[Step, ...] = Field(min_length=1, max_length=200)
    preparation: tuple[Identifier, ...] = ()
    """Ids of preparation items to check before the first step."""
    aftercare: tuple[Identifier, ...] = ()
    """Ids of aftercare items for the end."""
    source_notes: LongText

    @property
    def total_seconds(self) -> int:
        return sum(step.duration_s for step in self.steps)


class ContraindicationGroup(StrEnum):
    ILLNESS = "illness"
    CIRCULATION = "circulation"
    PAIN_AND_INJURY = "pain-and-injury"
    SKIN = "skin"
    PREGNANCY = "pregnancy"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _GROUP_LABEL[self]


_GROUP_LABEL = {
    ContraindicationGroup.ILLNESS: "Illness and fever",
    ContraindicationGroup.CIRCULATION: "Heart, blood and circulation",
    ContraindicationGroup.PAIN_AND_INJURY: "Pain, injury and surgery",
    ContraindicationGroup.SKIN: "Skin",
    ContraindicationGroup.PREGNANCY: "Pregnancy",
    ContraindicationGroup.OTHER: "Other",
}


class Contraindication(_Frozen):
    id: Identifier
    name: ShortText
    group: ContraindicationGroup
    question: ShortText
    """A yes/no screening question asked before a partner session."""
    reason: LongText
    advice: LongText


class PreparationCategory(StrEnum):
    ROOM = "room"
    MATERIALS = "materials"
    RECEIVER = "receiver"
    GIVER = "giver"


class PreparationItem(_Frozen):
    id: Identifier
    title: ShortText
    category: PreparationCategory
    detail: LongText


class Mistake(_Frozen):
    id: Identifier
    title: ShortText
    why: LongText
    instead: LongText


class AftercareItem(_Frozen):
    id: Identifier
    title: ShortText
    detail: LongText
    minutes: int | None = Field(default=None, ge=1, le=120)


class ZoneFile(_Frozen):
    schema_version: Literal[1] = 1
    zones: tuple[Zone, ...] = Field(min_length=1)


class TechniqueFile(_Frozen):
    schema_version: Literal[1] = 1
    techniques: tuple[Technique, ...] = Field(min_length=1)


class SafetyFile(_Frozen):
    """Contraindications, preparation, common mistakes and aftercare."""

    schema_version: Literal[1] = 1
    contraindications: tuple[Contraindication, ...] = Field(min_length=1)
    preparation: tuple[PreparationItem, ...] = Field(min_length=1)
    mistakes: tuple[Mistake, ...] = Field(min_length=1)
    aftercare: tuple[AftercareItem, ...] = Field(min_length=1)
