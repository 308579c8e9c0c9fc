"""The samples checked against a body tree once its parameters are placed (a mixin of the nesting's builder).

Every sample key of a container with documented fields must be documented (``undocumented-sample-field``; such
a field is not ``complete``); sample values must fit the documented type (``sample-type-mismatch``,
``sample-null-not-nullable``); a required parameter must be in each sample of its versions that has its parent
object (``parameter-not-in-sample``), unless the api-ref says the sample lacks keys (``Sample.partial``).
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.apiref.bodytree import JSON_KINDS, Node, dotted
from conformance.apiref.samples import SampleIndex, sample_in_range
from conformance.model import Defect, Sample

__all__ = ["SampleChecks"]


class SampleChecks:
    """What the builder checks of its samples; it provides the attributes below."""

    root: Node
    samples: Sequence[Sample]
    index: SampleIndex
    defects: list[Defect]
    complete: dict[int, bool]

    def check_samples(self) -> None:
        """Report undocumented sample keys, type contradictions and missing keys."""
        for node in self._walk(self.root):
            if node.is_container:
                self.complete[node.position] = self._check_keys(node)
            if node.parameter is not None and not node.placeholder and node.parent is not None \
                    and not node.parent.keyed and not node.parent.placeholder:
                self._check_value(node, node.parent)  # (a map's values are under keys the samples name)

    def _walk(self, node: Node) -> list[Node]:
        nodes, pending = [], [node]
        while pending:
            current = pending.pop()
            nodes.append(current)
            pending.extend(current.children)
        return nodes

    def _check_keys(self, node: Node) -> bool:
        """Report the sample keys of ``node`` that are not documented; True if there are none."""
        documented = {child.path[-1] for child in node.children}
        if not node.children or node.keyed or any(child.placeholder for child in node.children):
            # An object listed with no fields is free-form (metadata, addresses): nothing to check.
            return False
        # A sample of a version none of the fields is in shows a body the api-ref does not document (nova's
        # diagnostics before 2.48): its keys are not undocumented fields of this one.
        in_range = {i for i in self.index.samples_with_object(node.path)
                    if sample_in_range(self.samples[i], node.versions)
                    and any(sample_in_range(self.samples[i], child.versions) for child in node.children)}
        if not in_range:
            return False
        complete = True
        for key in self.index.keys_at(node.path):
            if key in documented:
                continue
            showing = sorted(self.index.samples_with_key(node.path, key) & in_range)
            if showing:
                complete = False
                sample = self.samples[showing[0]]
                others = f" (and {len(showing) - 1} more)" if len(showing) > 1 else ""
                self.defects.append(Defect("undocumented-sample-field", f"`{dotted(node.path + (key,))}` in "
                                           f"{sample.path}{others} is not a documented parameter", sample.source))
        return complete

    def _check_value(self, node: Node, parent: Node) -> None:
        assert node.parameter is not None
        parameter, name = node.parameter, node.path[-1]
        in_range = {i for i in range(len(self.samples)) if sample_in_range(self.samples[i], parameter.versions)}
        allowed = JSON_KINDS.get(node.kind)
        for kind, showing in self.index.kinds(parent.path, name).items():
            hits = sorted(showing & in_range)
            if not hits or allowed is None or kind in allowed:
                continue
            sample = self.samples[hits[0]]
            where = f"`{dotted(node.path)}` in {sample.path}"
            if kind == "null":
                if not parameter.nullable:
                    self.defects.append(Defect("sample-null-not-nullable", f"{where} is null, but `{parameter.key}` "
                                               "does not say it may be null", sample.source))
            else:
                self.defects.append(Defect("sample-type-mismatch", f"{where} is a JSON {kind}, but `{parameter.key}` "
                                           f"is documented as {parameter.type}", sample.source))
        if parameter.required:
            having_parent = self.index.samples_with_object(parent.path) & in_range
            lacking = sorted(i for i in having_parent - self.index.samples_with_key(parent.path, name)
                             if not self.samples[i].partial)
            if lacking:
                sample = self.samples[lacking[0]]
                others = f" (and {len(lacking) - 1} more)" if len(lacking) > 1 else ""
                self.defects.append(Defect("parameter-not-in-sample", f"required `{dotted(node.path)}` "
                                           f"({parameter.source}, versions {parameter.versions}) is missing from "
                                           f"{sample.path}{others}", sample.source))
