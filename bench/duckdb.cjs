// bench/duckdb.cjs - the DuckDB peer of bench/peers.sh: run one of the
// bench's jobs in DuckDB (2 threads) on the same NDJSON, write CSV.
// usage: node bench/duckdb.cjs JOB OUT.csv FILE...   (see JOBS below)
// The module comes from `make bench-deps` (WEIR_BENCH_NODE, default
// build/bench-node).
'use strict';
const path = require('path');
const root = process.env.WEIR_BENCH_NODE ||
    path.join(__dirname, '..', 'build', 'bench-node');
const { DuckDBInstance } = require(path.join(root, 'node_modules',
    '@duckdb', 'node-api'));

const q = (s) => "'" + s.replace(/'/g, "''") + "'";
const clicks = (f) => `read_json(${q(f)}, format = 'newline_delimited',
    columns = {ts: 'BIGINT', "user": 'VARCHAR', page: 'VARCHAR',
    amount: 'DECIMAL(18,2)'})`;
const JOBS = {
	tumbling: ([f]) => `SELECT ts // 60000 * 60000 AS window_start,
	    ts // 60000 * 60000 + 60000 AS window_end, "user",
	    count(*) AS count, sum(amount) AS sum_amount
	    FROM ${clicks(f)} GROUP BY ALL`,
	hopping: ([f]) => `SELECT w AS window_start, w + 60000 AS window_end,
	    "user", count(*) AS count, sum(amount) AS sum_amount
	    FROM (SELECT ts // 10000 * 10000 - 10000 * unnest(range(6)) AS w,
	    ts, "user", amount FROM ${clicks(f)}) WHERE w <= ts GROUP BY ALL`,
	// sessions: event times at most the gap apart (weir-window(1))
	session: ([f]) => `WITH s AS (SELECT "user", ts, amount,
	    CASE WHEN ts - lag(ts) OVER (PARTITION BY "user" ORDER BY ts)
	    <= 30000 THEN 0 ELSE 1 END AS new FROM ${clicks(f)}),
	    g AS (SELECT *, sum(new) OVER (PARTITION BY "user" ORDER BY ts
	    ROWS UNBOUNDED PRECEDING) AS sid FROM s)
	    SELECT min(ts) AS window_start, max(ts) + 30000 AS window_end,
	    "user", count(*) AS count, sum(amount) AS sum_amount
	    FROM g GROUP BY "user", sid`,
	interval: ([o, p]) => `SELECT o.ts, o."order", o.amount,
	    p.ts AS pay_ts, p."order" AS pay_order, p.paid AS pay_paid
	    FROM read_json(${q(o)}, format = 'newline_delimited',
	    columns = {ts: 'BIGINT', "order": 'VARCHAR', amount: 'BIGINT'}) o
	    JOIN read_json(${q(p)}, format = 'newline_delimited',
	    columns = {ts: 'BIGINT', "order": 'VARCHAR', paid: 'BIGINT'}) p
	    ON o."order" = p."order" AND p.ts BETWEEN o.ts - 10000 AND o.ts + 10000`,
	table: ([c, u]) => `SELECT c.ts, c."user", c.page, c.amount, u.name,
	    u.tier, u.country FROM ${clicks(c)} c
	    JOIN read_json(${q(u)}, format = 'newline_delimited',
	    columns = {"user": 'VARCHAR', name: 'VARCHAR', tier: 'BIGINT',
	    country: 'VARCHAR'}) u ON c."user" = u."user"`,
	filter: ([f]) => `SELECT ts, "user", amount, amount * 100 AS cents
	    FROM ${clicks(f)} WHERE amount > 50 AND page = '/p/7'`,
	groups: ([f]) => `SELECT u, count(*) AS count, sum(v) AS sum_v
	    FROM read_json(${q(f)}, format = 'newline_delimited',
	    columns = {ts: 'BIGINT', u: 'VARCHAR', v: 'BIGINT'}) GROUP BY u`,
};

async function main() {
	const [job, out, ...files] = process.argv.slice(2);
	if (!JOBS[job] || !out || !files.length) {
		console.error('usage: duckdb.cjs ' + Object.keys(JOBS).join('|') +
		    ' OUT.csv FILE...');
		process.exit(2);
	}
	const db = await DuckDBInstance.create(':memory:', { threads: '2' });
	const con = await db.connect();
	await con.run('SET threads = 2');
	await con.run(`COPY (${JOBS[job](files)}) TO ${q(out)} (HEADER, DELIMITER ',')`);
}
main().catch((e) => { console.error('duckdb.cjs: ' + e.message); process.exit(1); });
