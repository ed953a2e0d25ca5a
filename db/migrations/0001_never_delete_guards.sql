-- Users are never deleted (they are tied to project history): inactivate them instead.
CREATE OR REPLACE FUNCTION refuse_user_delete() RETURNS trigger AS $$
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    RAISE EXCEPTION 'users are never deleted: inactivate user % instead (status = inactive)', OLD.id
      USING ERRCODE = 'restrict_violation', HINT = 'Offboard the user, which inactivates and keeps the history.';
  END IF;
  RAISE EXCEPTION 'users are never deleted: TRUNCATE of users is refused'
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_never_delete BEFORE DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION refuse_user_delete();
--> statement-breakpoint
CREATE TRIGGER users_never_truncate BEFORE TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_user_delete();
--> statement-breakpoint
-- The audit log is append-only: past rows can be neither changed nor removed.
CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % of audit rows is refused', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_never_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
