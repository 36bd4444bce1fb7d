// Swagger UI for /api/docs, served from the swagger-ui-dist package (no CDN: border sites are
// often offline).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

const PAGE = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Loa API</title>
<link rel="stylesheet" href="./swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script><script src="./loa-init.js"></script></body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui' });`;

export function apiDocsRouter(): Router {
  const assets = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));
  const router = express.Router();
  router.get('/', (req, res, next) => {
    // Relative asset URLs need the trailing slash.
    if (!req.originalUrl.endsWith('/')) return res.redirect(301, `${req.originalUrl}/`);
    res.type('html').send(PAGE);
    void next;
  });
  router.get('/loa-init.js', (_req, res) => {
    res.type('js').send(INIT);
  });
  router.use(express.static(assets, { index: false }));
  return router;
}
