"""Command line: import the organisation, sync its sign-in accounts, mint a local API token, run the local service."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from service.adapters.clock import Clock
from service.config import load_settings
from service.domain.errors import DomainError


def _table(settings):
    from service.web.wiring import dynamo_table_factory

    return dynamo_table_factory(settings)()


def cmd_import_org(args: argparse.Namespace) -> int:
    """Import an organisation CSV as the trusted operator."""
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.directory import import_organisation

    settings = load_settings()
    text = Path(args.file).read_text(encoding="utf-8-sig")
    try:
        clock = Clock(settings.time_zone)
        result = import_organisation(UnitOfWork(_table(settings)), None, text, clock, dry_run=args.dry_run)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        for err in exc.errors if isinstance(exc.errors, list) else [exc.errors]:
            print(f"  {json.dumps(err)}", file=sys.stderr)
        return 1
    print(json.dumps({"import_id": result.import_id, "dry_run": result.dry_run, **result.summary}))
    return 0


def cmd_mint_token(args: argparse.Namespace) -> int:
    """Print an API token for a person (local run only)."""
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.directory import get_person
    from service.web.auth import mint_token

    settings = load_settings()
    try:
        person = get_person(UnitOfWork(_table(settings)), args.employee_id)
        print(mint_token(settings, person.employee_id))
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0


def cmd_send_reminders(args: argparse.Namespace) -> int:
    """Create the scheduled reviews due, then send today's reminders (what the daily function does when deployed)."""
    from service.adapters.documents import use_organisation_formats
    from service.adapters.factory import build_mailer
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.reminders import send_reminders
    from service.services.schedules import run_schedules

    settings = load_settings()
    use_organisation_formats(settings.locale, settings.currency, settings.time_zone)
    table = _table(settings)
    mailer = build_mailer(settings, table)
    print(json.dumps(asdict(run_schedules(UnitOfWork(table), mailer, Clock(settings.time_zone), settings.base_url))))
    print(json.dumps(asdict(send_reminders(UnitOfWork(table), mailer, Clock(settings.time_zone), settings.base_url))))
    return 0


def cmd_send_training_report(args: argparse.Namespace) -> int:
    """Email the training-need reports that are due (what the hourly scheduled function does when deployed)."""
    from service.adapters.documents import use_organisation_formats
    from service.adapters.factory import build_mailer
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.training_delivery import deliver_training_reports

    settings = load_settings()
    use_organisation_formats(settings.locale, settings.currency, settings.time_zone)
    uow = UnitOfWork(_table(settings))
    mailer, clock = build_mailer(settings, uow.table), Clock(settings.time_zone)
    print(json.dumps(asdict(deliver_training_reports(uow, mailer, clock, settings.base_url))))
    return 0


def cmd_summary_hash(args: argparse.Namespace) -> int:
    """Print the content hash of a review as stored now; with --pdf, say whether a PDF's footer shows it."""
    import re
    import subprocess

    from service.adapters.unit_of_work import UnitOfWork
    from service.domain.content_hash import review_hash

    review = UnitOfWork(_table(load_settings())).reviews.get(args.cycle_id, args.employee_id)
    if review is None:
        print(f"no review for {args.employee_id!r} in cycle {args.cycle_id!r}", file=sys.stderr)
        return 1
    stored = review_hash(review)
    result: dict[str, object] = {"content_hash": stored, "version": review.version, "state": review.state.value}
    if args.pdf:
        # The operator's own file, as one argument (no shell); poppler's pdftotext reads the footer's text.
        done = subprocess.run(["pdftotext", args.pdf, "-"], capture_output=True, text=True, check=True)  # noqa: S603, S607
        text = done.stdout
        found = re.search(r"sha256:[0-9a-f]{64}", text)
        result["pdf_hash"] = found.group(0) if found else None
        result["matches"] = result["pdf_hash"] == stored
    print(json.dumps(result))
    return 0 if result.get("matches", True) else 2


def cmd_sync_users(args: argparse.Namespace) -> int:
    """Make the Cognito accounts follow the organisation file (created, updated; disabled only on request).

    Exit 0 when done, 1 for a bad file, 3 when a sending limit (or --max-new) left people to invite, or an
    invitation was not delivered: the same command run again (tomorrow, for a daily limit) continues with them.
    Undelivered invitations are recorded in the progress file (default: next to the CSV) until sent again.
    """
    import os

    from service.adapters.aws import client
    from service.adapters.user_pool import UserPool
    from service.services.accounts import sync_accounts

    settings = load_settings()
    pool_id = args.user_pool_id or os.environ.get("COGNITO_USER_POOL_ID", "")
    if not pool_id:
        print("name the pool: --user-pool-id or COGNITO_USER_POOL_ID (the stack's UserPoolId output)", file=sys.stderr)
        return 2
    text = Path(args.file).read_text(encoding="utf-8-sig")
    progress = Path(args.progress or f"{args.file}.progress.json")
    try:
        recorded = json.loads(progress.read_text(encoding="utf-8")) if progress.exists() else {}
    except ValueError:
        print(f"{progress} is not a progress file of sync-users; move it or give --progress", file=sys.stderr)
        return 2
    undelivered = set(recorded.get("undelivered", [])) if recorded.get("user_pool_id") == pool_id else set()
    try:
        result = sync_accounts(
            UserPool(client("cognito-idp", settings), pool_id),
            text,
            dry_run=args.dry_run,
            disable_missing=args.disable_missing,
            max_new=args.max_new,
            undelivered=undelivered,
        )
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        for err in exc.errors if isinstance(exc.errors, list) else [exc.errors]:
            print(f"  {json.dumps(err)}", file=sys.stderr)
        return 1
    print(json.dumps({"dry_run": args.dry_run, **result.as_dict()}))
    if not args.dry_run:
        if result.undelivered:
            record = {"user_pool_id": pool_id, "undelivered": sorted(result.undelivered)}
            progress.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        elif progress.exists():
            progress.unlink()
    if result.missing:
        print(
            f"{len(result.missing)} enabled accounts are not in the file and stay enabled; to disable them, run "
            "again with the complete organisation file and --disable-missing",
            file=sys.stderr,
        )
    if result.undelivered:
        print(
            f"{len(result.undelivered)} invitations were not delivered (recorded in {progress}); check those "
            "addresses (in the SES sandbox, verify them), then run the same command again to resend them",
            file=sys.stderr,
        )
    if result.pending:
        print(
            f"stopped ({result.stopped}): {len(result.pending)} people not invited yet. Run the same command "
            "again later (Cognito's own sender: tomorrow); it continues with them.",
            file=sys.stderr,
        )
    if result.pending or result.undelivered:
        return 3
    return 0


def cmd_export_person(args: argparse.Namespace) -> int:
    """Print (or write) everything stored about one person as JSON."""
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.personal_data import export_person

    try:
        data = asdict(export_person(UnitOfWork(_table(load_settings())), args.employee_id))
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    text = json.dumps(data, indent=2, sort_keys=True)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def cmd_erase_person(args: argparse.Namespace) -> int:
    """Erase a leaver's name, email and title, and delete their sign-in account."""
    import os

    from service.adapters.unit_of_work import UnitOfWork
    from service.services.personal_data import erase_person

    if args.confirm != args.employee_id:
        print("repeat the employee id with --confirm to erase", file=sys.stderr)
        return 2
    settings = load_settings()
    try:
        erased = erase_person(UnitOfWork(_table(settings)), args.employee_id)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    result = {"employee_id": erased.employee_id, "name": erased.name, "reviews": str(erased.reviews)}
    pool_id = args.user_pool_id or os.environ.get("COGNITO_USER_POOL_ID", "")
    if pool_id:
        from service.adapters.aws import client

        cognito = client("cognito-idp", settings)
        try:
            cognito.admin_delete_user(UserPoolId=pool_id, Username=args.employee_id)
            result["account"] = "deleted"
        except cognito.exceptions.UserNotFoundException:
            result["account"] = "none"
    print(json.dumps(result))
    return 0


def cmd_restore_items(args: argparse.Namespace) -> int:
    """Copy items from a restored table back into the stack's table, retrying what DynamoDB leaves unprocessed."""
    from service.adapters.aws import client
    from service.adapters.operator_tools import Unfinished, copy_items

    settings = load_settings()
    if args.source == settings.table_name:
        print("--from must name the restored table, not the stack's own ($TABLE_NAME)", file=sys.stderr)
        return 2
    try:
        counts = copy_items(client("dynamodb", settings), args.source, settings.table_name, args.prefix)
    except Unfinished as exc:
        print(str(exc), file=sys.stderr)
        return 3
    print(json.dumps({"from": args.source, "to": settings.table_name, **counts}))
    return 0


def cmd_delete_items(args: argparse.Namespace) -> int:
    """Delete the items under the given pk prefixes (a cycle at the end of its retention period)."""
    from service.adapters.aws import client
    from service.adapters.operator_tools import Unfinished, delete_items

    settings = load_settings()
    if args.confirm != settings.table_name:
        print("repeat the table's name ($TABLE_NAME) with --confirm to delete", file=sys.stderr)
        return 2
    try:
        counts = delete_items(client("dynamodb", settings), settings.table_name, args.prefix)
    except Unfinished as exc:
        print(str(exc), file=sys.stderr)
        return 3
    print(json.dumps({"table": settings.table_name, **counts}))
    return 0


def cmd_empty_bucket(args: argparse.Namespace) -> int:
    """Delete every object of a bucket (ExportBucket before `sam delete`)."""
    from service.adapters.aws import client
    from service.adapters.operator_tools import empty_bucket

    if args.confirm != args.bucket:
        print("repeat the bucket's name with --confirm to empty it", file=sys.stderr)
        return 2
    s3 = client("s3", load_settings())
    try:
        counts = empty_bucket(s3, args.bucket)
    except s3.exceptions.NoSuchBucket:
        print(f"no bucket {args.bucket!r} (already deleted?)", file=sys.stderr)
        return 1
    print(json.dumps({"bucket": args.bucket, **counts}))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the embedded local service."""
    from service.local import main

    return main(args.port, Path(args.data), reset=args.reset)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def cmd_reindex_reviews(_args: argparse.Namespace) -> int:
    """Give stored reviews the index keys this version makes (once after an upgrade); prints the counts."""
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.cycles import reindex_reviews

    print(json.dumps(reindex_reviews(UnitOfWork(_table(load_settings())))))
    return 0


def cmd_reindex_upward(_args: argparse.Namespace) -> int:
    """Count upward answers stored before this version into their managers' summaries (once after the upgrade that
    adds them, issue 27); prints how many summaries per cycle."""
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.diagnosis import reindex_upward

    print(json.dumps(reindex_upward(UnitOfWork(_table(load_settings())))))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(prog="python -m service.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("import-org", help="import the organisation from a CSV file")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate and show the changes, write nothing")
    p.set_defaults(func=cmd_import_org)
    p = sub.add_parser("mint-token", help="print an API token for a person (local run)")
    p.add_argument("employee_id")
    p.set_defaults(func=cmd_mint_token)
    p = sub.add_parser("send-reminders", help="email overdue tasks (the daily scheduled job)")
    p.set_defaults(func=cmd_send_reminders)
    p = sub.add_parser("send-training-report", help="email due training-need reports to leadership (hourly job)")
    p.set_defaults(func=cmd_send_training_report)
    p = sub.add_parser("summary-hash", help="the content hash of a stored review (and whether a PDF shows it)")
    p.add_argument("cycle_id")
    p.add_argument("employee_id")
    p.add_argument("--pdf", help="an appraisal summary PDF whose footer hash to check")
    p.set_defaults(func=cmd_summary_hash)
    p = sub.add_parser("sync-users", help="create, update (and on request disable) Cognito accounts from a CSV")
    p.add_argument("file")
    p.add_argument("--user-pool-id", help="the stack's UserPoolId output (default: $COGNITO_USER_POOL_ID)")
    p.add_argument("--dry-run", action="store_true", help="show the changes, make none")
    p.add_argument(
        "--disable-missing",
        action="store_true",
        help="disable the accounts of people not in the file (give the complete organisation file)",
    )
    p.add_argument("--max-new", type=_positive, help="send at most this many invitations in this run")
    p.add_argument("--progress", help="where undelivered invitations are recorded (default: FILE.progress.json)")
    p.set_defaults(func=cmd_sync_users)
    p = sub.add_parser("export-person", help="everything stored about one person, as JSON")
    p.add_argument("employee_id")
    p.add_argument("--out", help="write to this file instead of printing")
    p.set_defaults(func=cmd_export_person)
    p = sub.add_parser("erase-person", help="erase a leaver's name, email and title; delete their sign-in account")
    p.add_argument("employee_id")
    p.add_argument("--confirm", required=True, help="the employee id again")
    p.add_argument("--user-pool-id", help="also delete the Cognito account (default: $COGNITO_USER_POOL_ID)")
    p.set_defaults(func=cmd_erase_person)
    p = sub.add_parser("restore-items", help="copy items from a restored table back into $TABLE_NAME")
    p.add_argument("--from", dest="source", required=True, help="the restored table")
    p.add_argument("--prefix", action="append", default=[], help="only items whose pk begins so (repeatable)")
    p.set_defaults(func=cmd_restore_items)
    p = sub.add_parser("reindex-reviews", help="give stored reviews this version's index keys (after an upgrade)")
    p.set_defaults(func=cmd_reindex_reviews)
    p = sub.add_parser(
        "reindex-upward", help="count upward answers stored before summaries into them (after an upgrade)"
    )
    p.set_defaults(func=cmd_reindex_upward)
    p = sub.add_parser("delete-items", help="delete the items of $TABLE_NAME whose pk begins with a prefix")
    p.add_argument("--prefix", action="append", required=True, help="pk prefix, e.g. CYCLE#<id> (repeatable)")
    p.add_argument("--confirm", required=True, help="the table's name again")
    p.set_defaults(func=cmd_delete_items)
    p = sub.add_parser("empty-bucket", help="delete every object of a bucket (ExportBucket before sam delete)")
    p.add_argument("bucket")
    p.add_argument("--confirm", required=True, help="the bucket's name again")
    p.set_defaults(func=cmd_empty_bucket)
    p = sub.add_parser("run", help="run the service locally with moto (make run)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--data", default=".local")
    p.add_argument("--reset", action="store_true", help="forget saved data and load the demo again")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
