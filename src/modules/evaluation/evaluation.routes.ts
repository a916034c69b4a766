import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireRole } from '../accounts/index.ts';
import { createComparisonPairs, leaderboardFor, refusalReportFor } from './evaluation.service.ts';
import { refusalReportCsv } from './refusal-report.ts';

const ProjectParams = Type.Object({ project: Type.String({ maxLength: 100 }) });

export const LeaderboardQuery = Type.Object(
  {
    method: Type.Optional(Type.Union([Type.Literal('bt'), Type.Literal('elo')], { description: 'bt (default): Bradley-Terry maximum likelihood; elo: online Elo, K = 4, in vote order' })),
    bootstrap: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Bootstrap rounds for the 95% intervals (default 1000; 0: no intervals)' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'Bootstrap seed (default 1): the same votes and seed give the same leaderboard' })),
    length_control: Type.Optional(Type.Boolean({ description: 'Bradley-Terry with the relative response length difference as a covariate' })),
    criterion: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Rank on one comparison criterion (answer.criteria[name]) instead of the overall winner" })),
    votes: Type.Optional(
      Type.Union([Type.Literal('answers'), Type.Literal('aggregated'), Type.Literal('reviewed')], {
        description: 'answers (default): every counting answer; aggregated: one vote per completed task from its result; reviewed: only results a reviewer decided',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RefusalReportQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }, { additionalProperties: false });

const Message = Type.Object(
  { role: Type.Union([Type.Literal('system'), Type.Literal('user'), Type.Literal('assistant')]), content: Type.String({ maxLength: 200_000 }) },
  { additionalProperties: false },
);
const Messages = Type.Array(Message, { minItems: 1, maxItems: 500 });

export const PairsBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Stored as the tasks' metadata.eval_item (default: the item's index)" })),
          prompt: Messages,
          responses: Type.Array(Type.Object({ model: Type.String({ minLength: 1, maxLength: 200 }), messages: Messages }, { additionalProperties: false }), { minItems: 2, maxItems: 20 }),
          metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
    design: Type.Union([Type.Literal('all'), Type.Literal('balanced')], { description: 'all: every pair of models per prompt; balanced: pairs_per_prompt pairs, spread evenly over model pairs' }),
    pairs_per_prompt: Type.Optional(Type.Integer({ minimum: 1, maximum: 190, description: 'Balanced design only (default 1)' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_295, description: 'Seed for the design and the response order (default 1)' })),
    batch: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** Evaluations: leaderboards from pairwise votes, the refusal audit report, and pair design. */
export const evaluationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, now } = app.services;
  const db = database.db;

  // API.md's contract: the list of models. The full report (win matrix, vote counts, length
  // coefficient) is the same computation under /leaderboard/report.
  app.get(
    '/v1/evals/:project/leaderboard',
    { schema: { tags: ['evals'], description: 'Ratings with 95% bootstrap intervals and shared ranks: [{model, rating, ci_low, ci_high, rank, battles, win_rate}]', params: ProjectParams, querystring: LeaderboardQuery } },
    async (request) => {
      const principal = requireRole(request, 'requester');
      return (await leaderboardFor(db, principal, request.params.project, request.query)).models;
    },
  );

  app.get(
    '/v1/evals/:project/leaderboard/report',
    { schema: { tags: ['evals'], description: 'The leaderboard with its win-rate matrix, votes, rank ranges and length coefficient', params: ProjectParams, querystring: LeaderboardQuery } },
    async (request) => {
      const principal = requireRole(request, 'requester');
      return leaderboardFor(db, principal, request.params.project, request.query);
    },
  );

  app.get(
    '/v1/evals/:project/refusal-report',
    { schema: { tags: ['evals'], description: 'Label rates with Wilson 95% intervals per model x topic x language, and the gaps between languages', params: ProjectParams, querystring: RefusalReportQuery } },
    async (request, reply) => {
      const principal = requireRole(request, 'requester');
      const report = await refusalReportFor(db, principal, request.params.project);
      if (request.query.format !== 'csv') return report;
      const filename = `${report.project.replace(/[^A-Za-z0-9_.-]/g, '_')}-refusal-report.csv`;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(refusalReportCsv(report));
    },
  );

  app.post(
    '/v1/evals/:project/pairs',
    { schema: { tags: ['evals'], description: 'Creates comparison tasks from prompts with several models\' responses, in a chosen pair design', params: ProjectParams, body: PairsBody } },
    async (request) => {
      const principal = requireRole(request, 'requester');
      return createComparisonPairs(database, principal, request.params.project, request.body, now);
    },
  );
};
