import "server-only";
import { db } from "@/db";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { LOG_NAMES, type LogName } from "./columns";
import { filterParams, parseCursor, parseLogFilters, parseLogName, type LogCursor, type LogFilters } from "./log-query";
import { readLogPage, type LogPage } from "./read-log-page";

export interface ViewLogsOptions {
  tenantId: string;
  actorUserId: string;
  /** The page's query string: `log` names the log the filters and `cursor` are for (default: the callback log). */
  params: URLSearchParams;
  meta?: RequestMeta;
}

export interface LogSectionView {
  log: LogName;
  page: LogPage | null;
  /** Why the selected log shows no page: its filters or cursor could not be read (the user's message). */
  error: string | null;
}

export interface LogsView {
  selected: LogName;
  sections: LogSectionView[];
}

/**
 * The logs page's read: a page of each of the four logs of the tenant, the selected one with the URL's filters and
 * cursor, the others their newest rows. Every view is recorded in the access history (logs.viewed, with the log and
 * filters it showed), here rather than in the page so that no way of showing the logs can skip it.
 */
export async function viewLogs({ tenantId, actorUserId, params, meta }: ViewLogsOptions): Promise<LogsView> {
  const selected = parseLogName(params.get("log")) ?? "callback";
  let filters: LogFilters = {};
  let cursor: LogCursor | undefined;
  let error: string | null = null;
  try {
    filters = parseLogFilters(selected, params);
    cursor = parseCursor(params.get("cursor"));
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    error = e.userMessage;
    filters = {};
    cursor = undefined;
  }

  const sections = await Promise.all(
    LOG_NAMES.map(async (log): Promise<LogSectionView> => {
      const own = log === selected;
      if (own && error) return { log, page: null, error };
      return { log, page: await readLogPage(log, tenantId, own ? filters : {}, own ? cursor : undefined), error: null };
    }),
  );
  await recordAudit(db(), {
    tenantId,
    actorUserId,
    action: "logs.viewed",
    target: `logs:${selected}`,
    outcome: "success",
    details: { log: selected, ...filterParams(filters), cursor: cursor !== undefined },
    meta,
  });
  return { selected, sections };
}
