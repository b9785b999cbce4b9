"""Form-level rules of a later stage's declarations (FormSpec validation)."""

from __future__ import annotations

from typing import Any


def stage_spec_problem(spec: Any) -> str | None:
    """What is wrong with a form.yaml's stage declarations, in Chinese (None: nothing)."""
    if spec.stage == "目标":
        extra = [k for k in ("scoring", "monitoring") if getattr(spec, k) is not None] + (["funds"] if spec.funds else [])
        if extra:
            return f"{'、'.join(extra)} 只用于 stage: 监控 或 自评 的表样（这个表样是 stage: 目标）"
        return None
    if spec.stages:
        return "stages（之后各阶段用哪个表样）只写在目标表的表样里"
    if spec.stage == "监控":
        if spec.monitoring is None:
            return "stage: 监控 的表样要写 monitoring（监控期 months、完成目标可能性的 answers）"
        if spec.scoring is not None:
            return "监控表不计分：scoring 只用于 stage: 自评"
    if spec.stage == "自评" and spec.monitoring is not None:
        return "monitoring 只用于 stage: 监控 的表样"
    return None


__all__ = ["stage_spec_problem"]
