"""What one export is: kind, scope, columns, format and protections, as JSON-able params.

A job stores ``ExportSpec.to_params()`` and its worker rebuilds the same export from it,
checking again that the requester may still run it.
"""

from dataclasses import asdict, dataclass

from participants.models import ExportFormat, ExportKind


class RosterScope:
    INVITED = "invited"
    ACCEPTED = "accepted"
    ATTENDED = "attended"
    CHOICES = (INVITED, ACCEPTED, ATTENDED)


@dataclass
class ExportSpec:
    kind: str
    columns: list[str]
    format: str = ExportFormat.CSV
    workshop_id: int | None = None
    program_id: int | None = None
    scope: str = RosterScope.INVITED  # the workshop roster: who is on it
    filters: str = ""  # the registry export: the registry list's query string
    chatham: bool = False
    reveal: bool = False  # an admin's confirmed choice to show high-risk people in full

    def to_params(self) -> dict:
        return asdict(self)

    @classmethod
    def from_params(cls, params: dict) -> "ExportSpec":
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in params.items() if k in known})

    @property
    def is_registry(self) -> bool:
        return self.kind == ExportKind.REGISTRY

    def audit_data(self, rows: int) -> dict:
        """What the audit log keeps of an export: ids, labels and counts only."""
        data = {
            "kind": self.kind,
            "format": self.format,
            "columns": list(self.columns),
            "rows": rows,
            "pseudonymised": not self.reveal,
            "chatham_house": self.chatham,
        }
        if self.kind == ExportKind.WORKSHOP:
            data.update(workshop=self.workshop_id, scope=self.scope)
        elif self.kind == ExportKind.PROGRAM:
            data["program"] = self.program_id
        else:
            # Filter names only: a search box may hold a person's name.
            data["filters"] = sorted(
                {
                    pair.split("=", 1)[0]
                    for pair in self.filters.split("&")
                    if "=" in pair and pair.split("=", 1)[1]
                }
            )
        return data
