import gc
import sys

from core import startup_tuning


def test_begin_and_end_restore_what_was_there():
    interval = sys.getswitchinterval()
    assert gc.isenabled() and not startup_tuning.active()
    startup_tuning.begin()
    startup_tuning.begin()  # idempotent: the second call must not save the start-up values
    try:
        assert not gc.isenabled()
        assert sys.getswitchinterval() == startup_tuning.STARTUP_SWITCH_INTERVAL
    finally:
        startup_tuning.end()
    assert gc.isenabled() and sys.getswitchinterval() == interval
    startup_tuning.end()  # nothing to undo
    assert gc.isenabled() and sys.getswitchinterval() == interval


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        startup_tuning.begin()
        startup_tuning.end()
        assert not gc.isenabled()
    finally:
        gc.enable()
