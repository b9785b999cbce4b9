"""The rest of the year (issue 19): the 绩效运行监控表 in July and the 绩效自评表 after the
year, from the same department's approved targets, scored by the form folder's rules.

* spec.py     what a later stage's form.yaml declares (stage, scoring, monitoring, funds)
* forms.py    the form-level rules of those declarations
* model.py    the stage file: the targets with the year's facts beside them
* link.py     a stage file joined to its targets file (``targets:``), facts matched by name
* scoring.py  执行率, 得分, 总分 and 等级, by the form's declared rules
* checks.py   the later stages' checks (E4xx / W4xx)
* context.py  what a stage form's templates read
* starter.py  ``goaldoc init --stage``: every indicator listed, its facts blank
* summary.py  ``goaldoc check --summary`` of a stage file

Nothing here names a region: every number and answer comes from templates/<form>/form.yaml.
This package imports nothing at load time (forms/spec.py imports stage.spec).
"""
