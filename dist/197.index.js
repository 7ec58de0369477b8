export const id = 197;
export const ids = [197];
export const modules = {

/***/ 197:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  checkSchedule: () => (/* binding */ checkSchedule)
});

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 24 modules
var github = __webpack_require__(2994);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/sendgrid/json.ts
var json = __webpack_require__(6050);
// EXTERNAL MODULE: ./src/sendgrid/client.ts + 2 modules
var client = __webpack_require__(6959);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 1 modules
var lib = __webpack_require__(4942);
;// CONCATENATED MODULE: ./src/github/fetch.ts
// The fetch GitHub's client is given: @actions/http-client underneath, as for SendGrid, so the
// runner's proxy settings hold without bundling undici, and no redirect is followed, so the token
// goes to GITHUB_API_URL and nowhere else.

/** A fetch over one HttpClient; `signal` (a cancel or a timeout) abandons the request. */
function fetchThroughHttpClient(userAgent, timeoutMs) {
    return async (input, init = {}) => {
        const url = input instanceof Request ? input.url : String(input);
        const headers = {};
        new Headers(init.headers).forEach((value, name) => (headers[name] = value));
        const body = typeof init.body === 'string' ? init.body : null;
        const http = new lib/* HttpClient */.Qq(userAgent, [], {
            allowRedirects: false,
            allowRetries: false,
            socketTimeout: timeoutMs
        });
        const signal = init.signal;
        try {
            const exchange = (async () => {
                const response = await http.request(init.method ?? 'GET', url, body, headers);
                const text = await response.readBody();
                const answered = new Headers();
                for (const [name, value] of Object.entries(response.message.headers))
                    if (value !== undefined)
                        answered.set(name, Array.isArray(value) ? value.join(', ') : value);
                const status = response.message.statusCode ?? 0;
                // A 204 or 304 carries no body.
                return new Response(status === 204 || status === 304 ? null : text, {
                    status,
                    headers: answered
                });
            })();
            if (!signal)
                return await exchange;
            return await Promise.race([
                exchange,
                new Promise((_, reject) => {
                    const abort = () => reject(signal.reason ?? new Error('aborted'));
                    if (signal.aborted)
                        abort();
                    else
                        signal.addEventListener('abort', abort, { once: true });
                })
            ]);
        }
        finally {
            http.dispose();
        }
    };
}

;// CONCATENATED MODULE: ./src/github/workflow-schedule.ts
// The whole schedule of the workflow that is running, read through GitHub's API at the commit it
// ran from. Loaded only on a scheduled run (a chunk of its own): no other run pays for the GitHub
// client. Every failure is a reason to fall back, never an error.





/** A workflow file is a few kB; GitHub inlines files up to 1 MB. */
const maxWorkflowBytes = 1024 * 1024;
/** Where the running workflow's file is: `owner/repo/PATH@REF` and the commit it came from. */
function workflowFileOf(env) {
    const ref = env.GITHUB_WORKFLOW_REF;
    // A ref may hold '@' too; the workflow file's name ends in .yml or .yaml.
    const match = ref ? /^([^/]+)\/([^/]+)\/(.+?\.ya?ml)@(.*)$/.exec(ref) : null;
    if (!match)
        return { unread: 'GITHUB_WORKFLOW_REF does not name the workflow file' };
    const sha = env.GITHUB_WORKFLOW_SHA;
    if (!sha || !/^[0-9a-f]{40}$/i.test(sha))
        return { unread: 'GITHUB_WORKFLOW_SHA is not set' };
    const [, owner, repo, path] = match;
    return { owner, repo, path, sha };
}
/**
 * The line that fired this run and every cron line of its workflow file. The token goes only to
 * `GITHUB_API_URL` (GitHub Enterprise Server included), through the runner's proxy settings, and
 * no redirect is followed.
 */
async function readWorkflowSchedule(token, env, signal, timeoutMs, context = github/* context */._) {
    const fired = typeof context.payload.schedule === 'string' ? context.payload.schedule : null;
    if (!token)
        return { fired, lines: { unread: 'no github-token was given' } };
    const file = workflowFileOf(env);
    if ('unread' in file)
        return { fired, lines: file };
    const baseUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
    let text;
    try {
        const octokit = (0,github/* getOctokit */.Q)(token, {
            baseUrl,
            userAgent: client/* userAgent */.N1,
            request: { signal, fetch: fetchThroughHttpClient(client/* userAgent */.N1, timeoutMs) }
        });
        const { data } = await octokit.rest.repos.getContent({
            owner: file.owner,
            repo: file.repo,
            path: file.path,
            ref: file.sha
        });
        if (!(0,json/* isRecord */.u)(data) || data.type !== 'file' || typeof data.content !== 'string')
            return { fired, lines: { unread: `${file.path} is not a file GitHub shows the text of` } };
        text = Buffer.from(data.content, 'base64').toString('utf8');
    }
    catch (error) {
        return { fired, lines: { unread: whyNotRead(error, file.path) } };
    }
    if (text.length > maxWorkflowBytes)
        return { fired, lines: { unread: `${file.path} is larger than 1 MiB` } };
    return { fired, lines: cronLinesIn(text, file.path) };
}
function whyNotRead(error, path) {
    // Octokit gives every failure a status; only one with a response is GitHub's answer.
    const answered = (0,json/* isRecord */.u)(error) && (0,json/* isRecord */.u)(error.response);
    const status = answered && typeof error.status === 'number' ? error.status : null;
    if (status === 403 || status === 401)
        return `GitHub refused to let the token read ${path} (HTTP ${status}): give the job the permission \`contents: read\` (under \`permissions:\`)`;
    if (status === 404)
        return `GitHub found no ${path} at the commit this run came from (HTTP 404)`;
    if (status !== null)
        return `GitHub answered HTTP ${status} to reading ${path}`;
    const message = error instanceof Error ? error.message : String(error);
    return `reading ${path} from GitHub failed (${message.split('\n')[0].slice(0, 200)})`;
}
/**
 * Every `on.schedule[].cron` of a workflow, read as YAML 1.2: an `on:` key, quoted or not, is the
 * string "on", never `true`.
 */
function cronLinesIn(text, path) {
    let workflow;
    try {
        workflow = (0,dist/* parse */.qg)(text);
    }
    catch {
        return { unread: `${path} is not YAML this action can read` };
    }
    const on = (0,json/* isRecord */.u)(workflow) ? workflow.on : null;
    const schedule = (0,json/* isRecord */.u)(on) ? on.schedule : null;
    const lines = Array.isArray(schedule)
        ? schedule.flatMap((entry) => (0,json/* isRecord */.u)(entry) && typeof entry.cron === 'string' ? [entry.cron] : [])
        : [];
    if (lines.length === 0)
        return { unread: `${path} has no on.schedule cron line` };
    return lines;
}

// EXTERNAL MODULE: ./src/report/log.ts
var log = __webpack_require__(6472);
// EXTERNAL MODULE: ./node_modules/croner/dist/croner.js
var croner = __webpack_require__(5814);
;// CONCATENATED MODULE: ./src/time/cron.ts
// The five-field cron lines GitHub's `schedule:` accepts (UTC), read by croner; and the gaps between
// the runs of a whole schedule, its lines merged. croner reads more than GitHub does (`?`, `L`, `W`,
// `#`, `+`, `@hourly`, six fields): such a line is refused here first.

const monthNames = 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ');
const dayNames = 'SUN MON TUE WED THU FRI SAT'.split(' ');
/** Names each field may hold: only month and weekday names. */
const namesOf = [[], [], [], monthNames, dayNames];
/** A cron line longer than this is nobody's schedule. */
const maxLineLength = 200;
const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
/** Whether every item of a field is of GitHub's kind: `*`, a value or name, a range, a step. */
function githubField(text, index) {
    return text.split(',').every((item) => {
        const match = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(item);
        if (!match)
            return false;
        const [, first, last, step] = match;
        const plain = (value) => /^\d{1,2}$/.test(value) || namesOf[index].includes(value.toUpperCase());
        // A weekday step with a start but no end ("1/2") ends at 6 for croner, at 7 (Sunday) for
        // Vixie cron, and from 7 never fires in croner: refused, not misread.
        if (index === 4 && first !== '*' && last === undefined && step !== undefined)
            return false;
        return (first === '*' && last === undefined) || (plain(first) && (!last || plain(last)));
    });
}
/** The schedule of a five-field cron line as GitHub reads it, or null when it is not one. */
function parseCron(text) {
    if (text.length > maxLineLength)
        return null;
    const parts = text.trim().split(/\s+/);
    if (parts.length !== 5 || !parts.every(githubField))
        return null;
    const line = parts.join(' ');
    let cron;
    try {
        // "5/15" runs from 5 to the end of the range, as GitHub reads it.
        cron = new croner/* Cron */.l4(line, { mode: '5-part', timezone: 'UTC', paused: true, sloppyRanges: true });
    }
    catch {
        return null;
    }
    return { line, cron, timesOfDay: firstDayTimes(cron) };
}
/** The times of the first day the line fires in the calendar cycle: every firing day has them. */
function firstDayTimes(cron) {
    const first = cron.nextRun(new Date(cycleStart - minuteMs));
    if (!first)
        return [];
    const dayStart = Math.floor(first.getTime() / dayMs) * dayMs;
    const times = [];
    for (let run = first; run && run.getTime() < dayStart + dayMs;) {
        times.push((run.getTime() - dayStart) / minuteMs);
        run = cron.nextRun(run);
    }
    return times;
}
/** Whether the line fires on this UTC day (ms at its midnight). */
function firesOnDay(line, dayStart) {
    return (line.timesOfDay.length > 0 &&
        line.cron.match(new Date(dayStart + line.timesOfDay[0] * minuteMs)));
}
function planOf(lines) {
    const times = new Map();
    for (const { line, timesOfDay } of lines)
        for (const at of timesOfDay)
            times.set(at, [...(times.get(at) ?? []), line]);
    const runs = [...times.entries()].sort(([a], [b]) => a - b).map(([at, lines]) => ({ at, lines }));
    const gaps = new GapCounter();
    for (let i = 1; i < runs.length; i++)
        gaps.note(runs[i - 1], runs[i], runs[i].at - runs[i - 1].at);
    return { first: runs[0], last: runs[runs.length - 1], inner: gaps.result() };
}
class GapCounter {
    gaps = null;
    note(from, to, minutes) {
        const gaps = this.gaps;
        if (!gaps || minutes > gaps.longest) {
            this.gaps = {
                longest: minutes,
                shortest: Math.min(minutes, gaps?.shortest ?? minutes),
                longestFrom: from.lines,
                longestTo: to.lines
            };
        }
        else
            gaps.shortest = Math.min(gaps.shortest, minutes);
    }
    add(other) {
        if (!other)
            return;
        this.note({ lines: other.longestFrom }, { lines: other.longestTo }, other.longest);
        this.gaps.shortest = Math.min(this.gaps.shortest, other.shortest);
    }
    result() {
        return this.gaps;
    }
}
/**
 * The gaps between the consecutive runs of every line together over `days` days from the UTC day
 * `firstDay` (ms), or null when they fire fewer than twice in them. A day's runs depend only on
 * which lines fire that day, so each such set of lines is worked out once.
 */
function gapsBetweenRuns(lines, firstDay, days) {
    const plans = new Map();
    const gaps = new GapCounter();
    let previous = null;
    for (let day = 0; day < days; day++) {
        const firing = lines.filter((line) => firesOnDay(line, firstDay + day * dayMs));
        if (firing.length === 0)
            continue;
        const key = firing.map((line) => lines.indexOf(line)).join(',');
        let plan = plans.get(key);
        if (!plan) {
            plan = planOf(firing);
            plans.set(key, plan);
            gaps.add(plan.inner);
        }
        if (previous) {
            const minutes = (day - previous.day) * 24 * 60 + plan.first.at - previous.plan.last.at;
            gaps.note(previous.plan.last, plan.first, minutes);
        }
        previous = { day, plan };
    }
    return gaps.result();
}
/** 28 years: every weekday falls on every date of every month, leap days included. */
const calendarCycleDays = 28 * 365 + 7;
/** The start of the cycle looked at: a fixed day, so the answer never depends on when it runs. */
const cycleStart = Date.UTC(2001, 0, 1);
/** The gaps of a schedule over a whole calendar cycle, or null when it fires fewer than twice. */
function scheduleGaps(lines) {
    return gapsBetweenRuns(lines, cycleStart, calendarCycleDays);
}

// EXTERNAL MODULE: ./src/time/human-time.ts
var human_time = __webpack_require__(5936);
;// CONCATENATED MODULE: ./src/stages/schedule-advice.ts
// What to tell the user about a schedule and a look-ahead: a scheduled run that looks ahead for
// campaigns (`single-sends-within-minutes`) only serves every campaign if the next run comes before
// the look-ahead ends, and GitHub starts runs late at minute 0.


/** A floor for how late GitHub starts scheduled runs at busy times (it can be later still). */
const scheduleDelayMinutes = 15;
/** Past this gap, looking ahead far enough would refresh audiences long before they are sent. */
const longestUsefulGapMinutes = 180;
const quoted = (line) => `\`${line}\``;
const listed = (lines) => lines.length === 1
    ? quoted(lines[0])
    : `${lines.slice(0, -1).map(quoted).join(', ')} and ${quoted(lines.at(-1))}`;
/**
 * What to tell the user about a schedule (every cron line of the workflow, or the one that fired
 * the run) and a look-ahead, or why the schedule cannot be judged.
 */
function coverageAdvice(lines, lookAheadMinutes) {
    const parsed = [];
    for (const text of lines) {
        const line = parseCron(text);
        if (!line)
            return { unreadable: 'it is not a five-field cron line this action can read' };
        if (!parsed.some((p) => p.line === line.line))
            parsed.push(line);
    }
    const gaps = scheduleGaps(parsed);
    if (!gaps)
        return { unreadable: 'it fires less than twice in 28 years' };
    const shown = parsed.map((p) => p.line);
    const name = shown.length === 1
        ? `This schedule line (${quoted(shown[0])})`
        : `This workflow's schedule (${listed(shown)})`;
    const needed = gaps.longest + scheduleDelayMinutes;
    let warning = null;
    if (lookAheadMinutes < needed) {
        const span = minutes(gaps.longest);
        const from = shown.length === 1
            ? ''
            : `, from a run of ${listed(gaps.longestFrom)} to the next, of ${listed(gaps.longestTo)}`;
        const rhythm = gaps.longest === gaps.shortest
            ? `runs every ${span}`
            : `leaves up to ${span} between two runs${from}`;
        const missed = `${name} ${rhythm}, but single-sends-within-minutes looks only ${lookAheadMinutes} minutes ahead: a campaign that goes out between two runs gets no refresh.`;
        warning =
            gaps.longest > longestUsefulGapMinutes
                ? `${missed} Looking ${span} ahead would refresh audiences long before they are sent: run the workflow more often instead (for example \`7,37 * * * *\`, every 30 minutes, with single-sends-within-minutes: 45).`
                : `${missed} Set single-sends-within-minutes to at least ${needed}.`;
    }
    return { warning, notice: minuteZeroNotice(parsed) };
}
/** The lines that fire at minute 0, each with an offset one, or null when none does. */
function minuteZeroNotice(lines) {
    const atZero = lines.filter((line) => line.timesOfDay.some((t) => t % 60 === 0));
    if (atZero.length === 0)
        return null;
    const fires = `fire${atZero.length === 1 ? 's' : ''} at minute 0 of the hour, when GitHub delays scheduled runs the most (and drops some under load).`;
    if (lines.length === 1)
        return `This schedule line (${quoted(atZero[0].line)}) ${fires} An offset minute, such as ${offsetExample(atZero[0])}, starts on time more often.`;
    const each = atZero.map((line) => `${offsetExample(line)} for ${quoted(line.line)}`);
    return `The schedule line${atZero.length === 1 ? '' : 's'} ${listed(atZero.map((l) => l.line))} ${fires} An offset minute starts on time more often: such as ${each.join('; ')}.`;
}
function minutes(count) {
    return count <= longestUsefulGapMinutes ? `${count} minutes` : (0,human_time/* describeDuration */.MB)(count * 60_000);
}
/** The same line at minute 7 (or 7 later), when that keeps every run in its hour. */
function offsetExample({ line, timesOfDay }) {
    const shifted = [...new Set(timesOfDay.map((t) => t % 60))]
        .sort((a, b) => a - b)
        .map((m) => m + 7);
    if (shifted.at(-1) > 59)
        return 'minute 7';
    return quoted([shifted.join(','), ...line.split(' ').slice(1)].join(' '));
}

;// CONCATENATED MODULE: ./src/stages/schedule-check.ts
// The schedule check of a scheduled run: the whole schedule, read from GitHub, or the line that
// fired the run when it cannot be; judged against the look-ahead. Loaded only on a scheduled run.



async function checkSchedule(settings, env, signal) {
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]);
    const schedule = await readWorkflowSchedule(settings.githubToken, env, timeout, settings.timeoutMs);
    let lines;
    if (Array.isArray(schedule.lines))
        lines = schedule.lines;
    else {
        log/* log */.R.info(`The workflow's whole schedule was not read, so only the line that fired this run is judged: ${schedule.lines.unread}.`);
        if (schedule.fired === null) {
            log/* log */.R.debug('Schedule coverage not checked: the event payload has no schedule line.');
            return;
        }
        lines = [schedule.fired];
    }
    const advice = coverageAdvice(lines, settings.singleSendsWithinMs / 60_000);
    if ('unreadable' in advice) {
        log/* log */.R.debug(`Schedule coverage not checked: this run's schedule cannot be read (${advice.unreadable}).`);
        return;
    }
    if (advice.warning)
        log/* log */.R.warning(advice.warning, { title: 'Campaigns can fall between scheduled runs' });
    if (advice.notice)
        log/* log */.R.notice(advice.notice, { title: 'Scheduled at minute 0' });
}


/***/ })

};
