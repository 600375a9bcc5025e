"""The "Show me" staging of lessons 8-10 (issue 14): the Posterior and Holes tabs and the studies of the
latent dimensions and the out-of-distribution probe, every control set from a ``lessons.Setup``.

Called by ``LessonRunner.apply`` for EVERY lesson, so that a lesson which does not use these controls turns
them back off (the holes map, the crowd of clouds): each lesson starts from the same state.
"""

from __future__ import annotations

from explorer import demo


def apply(window, setup) -> None:
    """Set the Posterior and Holes controls, the selected image and the study that ``setup`` names."""
    posterior, holes = window.docks["posterior"].panel, window.docks["holes"].panel
    posterior.crowd_box.setChecked(setup.crowd)
    if setup.samples:
        posterior.samples_box.setValue(setup.samples)
    holes.map_box.setChecked(setup.holes_map)
    window.tool_docks["Sample"].panel.tool.set_source("prior")  # lesson 2 samples the prior
    session = window.session
    if setup.row_class and setup.row_class in session.class_names:
        session.select(demo.first_test_row(session, session.class_names.index(setup.row_class)))
    if setup.study:
        study = window.studies.open(setup.study)
        if setup.foreign and hasattr(study, "set_foreign"):
            study.set_foreign(setup.foreign)
            study.run()
