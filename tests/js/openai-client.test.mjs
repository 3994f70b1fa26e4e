// The official openai npm client, unmodified, against a running Narrator Studio (NARRATOR_URL, e.g. http://127.0.0.1:5080).
// Run by tests/VisualNarrator.Web.Tests (OpenAiNpmClientTests), which starts the app on a free port first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = new URL('/v1', process.env.NARRATOR_URL ?? 'http://127.0.0.1:5080').toString();
const client = new OpenAI({ baseURL, apiKey: process.env.NARRATOR_API_KEY ?? 'unused', maxRetries: 0, timeout: 60_000 });
const model = process.env.NARRATOR_MODEL ?? 'narrator.gguf';

test('models.list and models.retrieve', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.ok(ids.includes(model), `models.list: ${ids}`);
  const one = await client.models.retrieve(model);
  assert.equal(one.id, model);
  assert.equal(one.object, 'model');
});

test('chat.completions.create without and with streaming', async () => {
  const messages = [{ role: 'user', content: 'a lighthouse at night' }];
  const whole = await client.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0 });
  const text = whole.choices[0].message.content;
  assert.equal(whole.choices[0].message.role, 'assistant');
  assert.ok(text.length > 0);
  assert.ok(whole.usage.completion_tokens >= 1);

  const stream = await client.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true } });
  let streamed = '';
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.choices.length > 0) streamed += chunk.choices[0].delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(streamed, text);
  assert.equal(usage.completion_tokens, whole.usage.completion_tokens);
});

test('completions.create without and with streaming', async () => {
  const whole = await client.completions.create({ model, prompt: 'a harbour with fishing boats', max_tokens: 12, temperature: 0 });
  assert.ok(whole.choices[0].text.length > 0);
  const stream = await client.completions.create({ model, prompt: 'a harbour with fishing boats', max_tokens: 12, temperature: 0, stream: true });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.text ?? '';
  assert.equal(streamed, whole.choices[0].text);
});

test('logprobs for chat and completions', async () => {
  const chat = await client.chat.completions.create({
    model, messages: [{ role: 'user', content: 'a mountain lake' }], max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 3,
  });
  const content = chat.choices[0].logprobs.content;
  assert.equal(content.length, chat.usage.completion_tokens);
  for (const t of content) {
    assert.equal(typeof t.token, 'string');
    assert.ok(t.logprob <= 0);
    assert.equal(t.top_logprobs.length, 3);
    // Greedy: the chosen token is the most likely one.
    assert.ok(Math.abs(t.top_logprobs[0].logprob - t.logprob) < 1e-6);
  }

  const completion = await client.completions.create({ model, prompt: 'a mountain lake', max_tokens: 8, temperature: 0, logprobs: 2 });
  const lp = completion.choices[0].logprobs;
  assert.equal(lp.tokens.length, completion.usage.completion_tokens);
  assert.equal(lp.token_logprobs.length, lp.tokens.length);
  assert.equal(lp.top_logprobs.length, lp.tokens.length);
  assert.equal(lp.tokens.join(''), completion.choices[0].text);
});
