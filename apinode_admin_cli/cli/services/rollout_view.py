"""What ``services rollout`` shows: progress on stderr, a countdown, and the steps on stdout.

The countdown itself is drawn by ``output/live.py``; this module decides what it says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.rollout import Listener, describe_mapping

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.output.live import Countdown
    from apinode_admin_cli.rollout import ProbeOutcome, RolloutPlan, RolloutReport, StepRecord
    from apinode_admin_cli.rollout.steps import Shares


class RolloutView(Listener):
    """Progress lines on stderr (one per step and per wait off a terminal), then the rows."""

    def __init__(self, app: App, plan: RolloutPlan, fleet: bool) -> None:
        self.app = app
        self.term = app.term
        self.plan = plan
        self.fleet = fleet
        self._countdown: Optional[Countdown] = None

    def _scrub(self, text: str) -> str:
        """Node text without any key this run knows (info and warn make it printable)."""
        return self.app.redactor.scrub(text)

    def _clean(self, text: str) -> str:
        """Node text fit for ``say`` lines: no key, no control character."""
        return self.app.redactor.line(text)

    def _where(self, label: str) -> str:
        return f"{label}: " if label else ""

    # -- the listener -------------------------------------------------------------------------

    def checked(self, label: str, stable: Shares) -> None:
        self.term.info(
            self._scrub(
                f"{self._where(label)}{self.plan.service} serves {describe_mapping(stable)} "
                "(the stable mapping)"
            )
        )

    def imported(self, label: str, generation: str) -> None:
        verb = "imported" if label else "Imported"
        self.term.info(f"{self._where(label)}{verb} {self.plan.archive} as {generation}")

    def preloaded(self, label: str, generation: str) -> None:
        self.term.info(f"{self._where(label)}{'p' if label else 'P'}reloaded {generation}")

    def step_done(self, record: StepRecord) -> None:
        line = self._clean(f"Step {record.percent}%: {self._mapping_text(record.mappings)}")
        if record.probes is not None:
            line += f"; probes {record.probes.text()}"
        if record.reason:
            self.term.say(self.term.style(f"{line}; failed", fg="red"))
        else:
            self.term.info(f"{line}; ok")

    def probes_started(self, percent: int, label: str) -> None:
        # The step's mapping is live while the probes run: say so, or it looks stuck.
        count = len(self.plan.probes)
        self.term.info(
            f"{self._where(label)}{'p' if label else 'P'}robing step {percent}% "
            f"({count} probe{'s' if count != 1 else ''})"
        )

    def unchanged(self, generation: str) -> None:
        where = " on every node" if self.fleet else ""
        self.term.info(
            self._clean(
                f"{self.plan.service} already sends all its traffic to {generation}{where}: "
                "nothing to roll out, nothing sent"
            )
        )

    def probes_done(self, percent: int, label: str, outcome: ProbeOutcome) -> None:
        for error in outcome.errors:
            self.term.warn(f"{self._where(label)}{self._scrub(error)}")

    def pause_started(self, next_percent: int, seconds: float) -> None:
        if self.term.quiet:
            return
        if self.term.err_is_tty():
            from apinode_admin_cli.output.live import Countdown

            self._countdown = Countdown(self.term.err, self.term.color)
            self._countdown.start()
        else:
            self.term.info(f"Waiting {seconds:g} s before step {next_percent}% (Ctrl-C rolls back)")

    def tick(self, next_percent: int, remaining: float) -> None:
        if self._countdown is not None:
            self._countdown.show(
                f"Step {next_percent}% in {_seconds(remaining)}  (Ctrl-C rolls back)"
            )

    def pause_ended(self) -> None:
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None

    def rolling_back(self, reason: str) -> None:
        # The reason was told with the failed step, and comes again as the final error.
        if reason.startswith("interrupted"):
            first = (
                "Terminated: rolling back" if "SIGTERM" in reason else "Interrupted: rolling back"
            )
        else:
            first = "Rolling back"
        self.term.say(self.term.style(f"{first} to the stable mapping", fg="yellow"))

    def restored(self, label: str, stable: Shares) -> None:
        verb = "restored" if label else "Restored"
        self.term.say(self._clean(f"{self._where(label)}{verb} {describe_mapping(stable)}"))

    def restore_failed(self, label: str, left: str, error: str) -> None:
        where = f"{label}: NOT restored, left with" if label else "NOT restored: the node serves"
        self.term.say(self.term.style(self._clean(f"{where} {left}: {error}"), fg="red"))

    def restore_hint(self, report: RolloutReport) -> str:
        """The commands that put back what a failed rollback could not."""
        import shlex

        commands = []
        gone = [label for label in report.not_restored if label in report.gone]
        for label in report.not_restored:
            if label in report.gone:
                continue  # no service left there to set a mapping on
            profile = f"--profile {shlex.quote(label)} " if label else ""
            entries = " ".join(
                f"--entry {shlex.quote(f'{g}={round(s, 9):.10g}')}" for g, s in report.stable[label]
            )
            commands.append(
                f"apinode-admin {profile}services set-mapping "
                f"{shlex.quote(report.service)} {entries}"
            )
        where = ", ".join(label or "the node" for label in gone)
        lost = (
            f"{report.service} is gone from {where}: recreate it there if it must serve"
            if gone
            else ""
        )
        if not commands:
            return lost
        return "restore it by hand: " + "; ".join(commands) + (f"; {lost}" if lost else "")

    def dry_run_done(self, report: RolloutReport) -> None:
        """What a real run would have sent first, and that nothing was."""
        if report.to_import:
            where = f" on {', '.join(report.to_import)}" if report.fleet else ""
            self.term.info(
                f"Would import {self.plan.archive}{where} (it must create {report.generation})"
            )
        self.term.info(
            f"Dry run: nothing was changed (a real run preloads {report.generation}, "
            "then sets each step's mapping)"
        )

    # -- the result on stdout -----------------------------------------------------------------

    def _mapping_text(self, mappings: dict[str, Shares], nodes: int = 0) -> str:
        """One mapping when every node (``nodes`` of them, if given) has it; else per node."""
        texts = {label: describe_mapping(shares) for label, shares in mappings.items()}
        if len(set(texts.values())) <= 1 and (not self.fleet or len(texts) >= nodes):
            return next(iter(texts.values()), "none")
        return "; ".join(f"{label}: {text}" for label, text in texts.items())

    def show(self, report: RolloutReport, succeeded: bool) -> None:
        """The steps (and the rollback) in the chosen format; then the generation on success."""
        fmt = self.app.output_format
        if fmt == "json":
            data: Any = report.to_json()
            for item in data:
                for key in ("reason", "notRestored"):
                    if isinstance(item.get(key), str):
                        item[key] = self._scrub(item[key])
                    elif isinstance(item.get(key), dict):
                        item[key] = {k: self._scrub(v) for k, v in item[key].items()}
            self.term.emit_json(data)
            return

        records = [
            {
                "step": f"{step.percent}%",
                "mapping": self._mapping_text(step.mappings),
                "probes": step.probes.text() if step.probes is not None else "-",
                "result": step.result,
            }
            for step in report.steps
        ]
        if report.rolled_back_to is not None:
            records += self._rollback_rows(report)
        from apinode_admin_cli.output.columns import ROLLOUT_STEPS

        self.term.emit(fmt, records, ROLLOUT_STEPS, None)
        if succeeded and fmt in ("plain", "table"):
            self.term.echo(report.generation)

    def _rollback_rows(self, report: RolloutReport) -> list[dict[str, str]]:
        """One row when every node was restored; else one per node, each with its own result.

        A single row reading "n1: v1 100% ... restore failed" named the wrong node.
        """
        restored = report.rolled_back_to or {}
        if not report.not_restored:
            text = self._mapping_text(restored or report.stable, len(report.labels))
            return [{"step": "rollback", "mapping": text, "probes": "-", "result": "restored"}]
        rows = []
        for label in report.labels:
            if label in restored:
                text, result = describe_mapping(restored[label]), "restored"
            elif label in report.not_restored:
                text = report.not_restored[label].split(" (", 1)[0]
                result = "gone" if label in report.gone else "NOT restored"
            else:
                continue  # never touched: it serves its stable mapping
            where = f"{label}: " if label else ""
            mapping = self._scrub(where + text)
            rows.append({"step": "rollback", "mapping": mapping, "probes": "-", "result": result})
        return rows


def _seconds(remaining: float) -> str:
    import math

    whole = max(0, math.ceil(remaining - 1e-6))
    minutes, seconds = divmod(whole, 60)
    return f"{minutes}:{seconds:02d}" if minutes else f"{seconds} s"
