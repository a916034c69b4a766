export { MAX_ATTEMPTS, newWebhookSecret, retryDelayMs, signWebhook, verifyWebhook } from './signing.ts';
export { webhooksRoutes } from './webhooks.routes.ts';
export { deliverDueWebhooks, drainDueWebhooks, enqueueWebhook, httpSender, registerWebhookHooks, resendCallback, type Sender, webhookSecret } from './webhooks.service.ts';
