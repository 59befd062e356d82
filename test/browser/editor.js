'use strict';
// Driving n8n 2.41's editor with playwright-core the way a user does: the nodes panel, the node's settings (NDV),
// Import → From File, Publish. Selectors are n8n's own data-test-id attributes.
const { sleep } = require('../../scripts/chromium');

const NDV = '[data-test-id="ndv"]';
const DROPDOWN_ITEM = '.el-select-dropdown__item:visible';

/** An empty workflow in the editor, ready for the nodes panel. */
async function newWorkflow(page, baseUrl) {
	await page.goto(`${baseUrl}/workflow/new`);
	await page.locator('[data-test-id="canvas-add-button"]').waitFor({ state: 'visible', timeout: 60_000 });
	await sleep(1000);
}

/** Searches the open nodes panel and clicks the first node whose name contains `nodeText`. */
async function pickFromPanel(page, search, nodeText) {
	await page.locator('[data-test-id="node-creator-search-bar"]').fill(search);
	await page.locator('[data-test-id="node-creator-item-name"]', { hasText: nodeText }).first().click();
}

/** Adds the trigger from the nodes panel to an empty workflow; its settings open. */
async function addTrigger(page, { search, nodeText, triggerText }) {
	await page.locator('[data-test-id="canvas-add-button"]').click();
	await pickFromPanel(page, search, nodeText);
	await page.getByText(triggerText, { exact: true }).click();
	await page.locator(NDV).waitFor({ timeout: 15_000 });
	await sleep(1000);
}

/** Adds an action after a manual trigger (the panel lists no actions on an empty canvas); its settings open. */
async function addAction(page, { search, nodeText, actionText }) {
	await page.locator('[data-test-id="canvas-add-button"]').click();
	await pickFromPanel(page, 'manual', 'Trigger manually');
	await sleep(1000);
	await page.keyboard.press('Escape');
	await sleep(500);
	await page.locator('[data-test-id="canvas-handle-plus"]').first().click();
	await pickFromPanel(page, search, nodeText);
	await page.getByText(actionText, { exact: true }).click();
	await page.locator(NDV).waitFor({ timeout: 15_000 });
	await sleep(1000);
}

/**
 * What the open node settings show: Platform (null when n8n hides it) and the value of each credential field, in
 * order (null for one that is empty).
 */
async function nodeSettings(page) {
	const platform = page.locator(`${NDV} [data-test-id="parameter-input-platform"] input`);
	const credentials = [];
	for (const input of await page.locator(`${NDV} [data-test-id="node-credentials-select"] input`).all()) {
		credentials.push((await input.inputValue()) || null);
	}
	return { platform: (await platform.count()) > 0 ? await platform.first().inputValue() : null, credentials };
}

/**
 * Opens a select and waits for its options. n8n re-renders a node's fields after a change (Platform re-draws the
 * credential field), so a click that lands during that is tried again.
 */
async function openDropdown(page, select) {
	for (let attempt = 1; ; attempt++) {
		// Escape would close the node's settings: a select that did not open is simply clicked again.
		if ((await page.locator('.el-select-dropdown:visible').count()) === 0) await select.click();
		try {
			await page.locator(DROPDOWN_ITEM).first().waitFor({ timeout: 3000 });
			await sleep(300);
			return;
		} catch (error) {
			if (attempt === 4) throw error;
		}
	}
}

/** The first line (the name) of each option the open select offers. */
async function dropdownNames(page) {
	const texts = await page.locator(DROPDOWN_ITEM).allInnerTexts();
	return texts.map((text) => text.split('\n')[0].trim());
}

/** The credentials the node's credential picker offers (names), the "create new" entry left out. */
async function credentialChoices(page) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="node-credentials-select"]`).first());
	const names = (await dropdownNames(page)).filter((name) => !/create new/i.test(name));
	await page.keyboard.press('Escape');
	await sleep(300);
	return names;
}

/** Picks an option of a select parameter of the open node (e.g. platform, operation). */
async function chooseOption(page, parameter, optionName) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="parameter-input-${parameter}"]`));
	await page.locator(DROPDOWN_ITEM, { hasText: optionName }).first().click();
	await sleep(1000);
}

/** The options a select parameter of the open node offers (names). */
async function optionNames(page, parameter) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="parameter-input-${parameter}"]`));
	const names = await dropdownNames(page);
	await page.keyboard.press('Escape');
	await sleep(300);
	return names;
}

async function chooseCredential(page, name) {
	await openDropdown(page, page.locator(`${NDV} [data-test-id="node-credentials-select"]`).first());
	await page.locator(DROPDOWN_ITEM, { hasText: name }).first().click();
	await sleep(800);
}

async function closeNode(page) {
	await page.locator('[data-test-id="ndv-close-button"]').click();
	await page.locator(NDV).waitFor({ state: 'hidden', timeout: 10_000 });
	await sleep(300);
}

async function openNode(page, name) {
	await page.locator('[data-test-id="canvas-node"]').filter({ hasText: name }).first().dblclick();
	await page.locator(NDV).waitFor({ timeout: 15_000 });
	await sleep(1000);
}

/** Execute step on the open trigger; returns n8n's line under "Listening for test event". */
async function listen(page) {
	await page.locator(`${NDV} [data-test-id="trigger-execute-button"]`).first().click();
	const listening = page.locator(`${NDV} [data-test-id="trigger-listening"]`);
	await listening.waitFor({ timeout: 20_000 });
	const lines = (await listening.innerText()).split('\n').map((line) => line.trim());
	return lines[lines.indexOf('Listening for test event') + 1];
}

async function stopListening(page) {
	await page.locator(`${NDV} [data-test-id="trigger-listening"] [data-test-id="trigger-execute-button"]`).click();
	await page.locator(`${NDV} [data-test-id="trigger-listening"]`).waitFor({ state: 'hidden', timeout: 20_000 });
	await sleep(1000);
}

/** The texts of the toasts on screen. */
async function toasts(page) {
	return (await page.locator('.el-notification').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
}

/**
 * Import → From File into a new workflow, as a user does; waits for the nodes and for n8n's autosave.
 * @returns the new workflow's id
 */
async function importFile(page, baseUrl, file) {
	await newWorkflow(page, baseUrl);
	await page.locator('[data-test-id="workflow-import-input"]').setInputFiles(file);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 20_000 });
	await page.waitForURL((url) => /\/workflow\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith('/new'), { timeout: 30_000 });
	await sleep(1500);
	return new URL(page.url()).pathname.split('/').pop();
}

/** The Publish button: {enabled}. */
async function publishButton(page) {
	const button = page.locator('[data-test-id="workflow-open-publish-modal-button"]');
	await button.waitFor({ timeout: 10_000 });
	const disabled = (await button.getAttribute('aria-disabled')) === 'true' || /is-disabled/.test((await button.getAttribute('class')) ?? '');
	return { enabled: !disabled };
}

/** Publishes through the button and its modal; returns the text of the dialog that follows (one line). */
async function publish(page) {
	await page.locator('[data-test-id="workflow-open-publish-modal-button"]').click();
	await page.locator('[data-test-id="workflow-publish-button"]').click();
	const outcome = page.locator('[role="dialog"]:visible', { hasText: /Workflow published|Conflicting Trigger Path/ }).last();
	await outcome.waitFor({ timeout: 60_000 });
	return (await outcome.innerText()).replace(/\s+/g, ' ').trim();
}

module.exports = {
	newWorkflow,
	addTrigger,
	addAction,
	nodeSettings,
	credentialChoices,
	chooseOption,
	optionNames,
	chooseCredential,
	closeNode,
	openNode,
	listen,
	stopListening,
	toasts,
	importFile,
	publishButton,
	publish,
};
