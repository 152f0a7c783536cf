"""PostgreSQL itself refuses a drawdown that breaches a ceiling or floor: the last line, behind
the pre_save guard, for raw SQL and anything else that skips Django.

A BEFORE INSERT OR UPDATE row trigger locks the reserve row and then the programme row (the
guard's order, so the two never deadlock), then sums the committed drawdowns. Under READ
COMMITTED each statement in a VOLATILE PL/pgSQL function takes a fresh snapshot, so the sums
run after the locks see every approval committed before this one got them. It also refuses
any change to a drawn drawdown. SQLite (development only) has no such trigger: the guard
alone holds there, and SQLite runs one writer at a time anyway.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION reserves_drawdown_ceiling_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_opening numeric;
    v_floor numeric;
    v_ceiling numeric;
    v_committed numeric;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'drawn' AND (
        NEW.status IS DISTINCT FROM OLD.status
        OR NEW.amount IS DISTINCT FROM OLD.amount
        OR NEW.reserve_id IS DISTINCT FROM OLD.reserve_id
        OR NEW.programme_id IS DISTINCT FROM OLD.programme_id
    ) THEN
        RAISE EXCEPTION 'drawdown % has been drawn and cannot be changed', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;

    IF NEW.status NOT IN ('approved', 'scheduled', 'drawn') THEN
        RETURN NEW;
    END IF;

    SELECT opening_balance, floor INTO v_opening, v_floor
      FROM {reserve} WHERE id = NEW.reserve_id FOR UPDATE;

    IF NEW.programme_id IS NOT NULL THEN
        SELECT spending_ceiling INTO v_ceiling
          FROM {programme} WHERE id = NEW.programme_id FOR UPDATE;
        SELECT COALESCE(SUM(amount), 0) INTO v_committed
          FROM {drawdown}
         WHERE programme_id = NEW.programme_id
           AND status IN ('approved', 'scheduled', 'drawn')
           AND id <> NEW.id;
        IF v_committed + NEW.amount > v_ceiling THEN
            RAISE EXCEPTION
                'drawdown refused: committed spend on programme % would be %, above its ceiling of %',
                NEW.programme_id, v_committed + NEW.amount, v_ceiling
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;

    SELECT COALESCE(SUM(amount), 0) INTO v_committed
      FROM {drawdown}
     WHERE reserve_id = NEW.reserve_id
       AND status IN ('approved', 'scheduled', 'drawn')
       AND id <> NEW.id;
    IF v_opening - v_committed - NEW.amount < v_floor THEN
        RAISE EXCEPTION
            'drawdown refused: reserve % would fall to %, below its floor of %',
            NEW.reserve_id, v_opening - v_committed - NEW.amount, v_floor
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""

TRIGGER = """
DROP TRIGGER IF EXISTS reserves_drawdown_ceiling ON {drawdown};
CREATE TRIGGER reserves_drawdown_ceiling
    BEFORE INSERT OR UPDATE ON {drawdown}
    FOR EACH ROW EXECUTE FUNCTION reserves_drawdown_ceiling_guard();
"""


def _tables(apps):
    return {
        "drawdown": apps.get_model("reserves", "Drawdown")._meta.db_table,
        "reserve": apps.get_model("reserves", "Reserve")._meta.db_table,
        "programme": apps.get_model("programme", "Programme")._meta.db_table,
    }


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tables = _tables(apps)
    # Table names are our own models', never user input.
    schema_editor.execute(
        FUNCTION.replace("{reserve}", tables["reserve"])
        .replace("{programme}", tables["programme"])
        .replace("{drawdown}", tables["drawdown"]),
        # No parameters: RAISE's % placeholders must reach PostgreSQL untouched.
        params=None,
    )
    schema_editor.execute(TRIGGER.replace("{drawdown}", tables["drawdown"]), params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tables = _tables(apps)
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS reserves_drawdown_ceiling ON {tables['drawdown']}"
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS reserves_drawdown_ceiling_guard()")


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0004_programme_record"),
        ("reserves", "0003_drawdowns_protocol_refusals_stated_figures"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
