"""The optional --ner-model backend, on a tiny randomly initialised model built here (no download)."""

import json

import pytest

transformers = pytest.importorskip(
    "transformers", reason="model backend not installed: pip install -e '.[model]' (CI installs it)")
torch = pytest.importorskip("torch")

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A 2-layer BERT token classifier whose bias makes every token B-LOC, saved as a model folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

    corpus = ["زار الوزير مدينة حلب ثم عاد إلى دمشق", "قال المتحدث إن الاجتماع انتهى في القاهرة",
              "وصل الوفد إلى عمان وبيروت"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(corpus, trainers.WordPieceTrainer(
        vocab_size=200, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")
    config = BertConfig(vocab_size=fast.vocab_size, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=128, num_labels=len(LABELS),
                        id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)})
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.fill_(-5.0)
        model.classifier.bias[LABELS.index("B-LOC")] = 5.0
    path = tmp_path_factory.mktemp("tiny-ner")
    model.save_pretrained(path)
    fast.save_pretrained(path)
    return path


def test_model_loads_predicts_offsets_and_merges(tiny_model):
    from khabar.entities.annotate import EntityAnnotator
    from khabar.entities.model import ModelNER

    ner = ModelNER(tiny_model)
    text = "زار الوزير مدينة حلب. ثم عاد إلى دمشق"
    predicted = ner.predict(text)
    assert predicted and all(p["type"] == "LOC" for p in predicted)
    for p in predicted:
        assert text[p["start"]:p["end"]] == p["text"] and p["source"].startswith("model:")
    lexicon = EntityAnnotator().annotate(text)[0]
    merged = ner.merge(text, lexicon)
    assert all(e in merged for e in lexicon)  # lexicon entities (with their ids) always kept
    assert len(merged) > len(lexicon)
    spans = sorted((e["start"], e["end"]) for e in merged)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # no overlaps after merging


def test_pipeline_and_cli_use_the_model(tiny_model, samples, cli):
    result = cli("extract", str(samples / "amp-baghdad.html"), "--json", "--ner-model", str(tiny_model))
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    assert any(e.get("source", "").startswith("model:") for e in record["entities"])
    assert any(e["id"] == "khabar:org/iq-parliament" for e in record["entities"])


def test_bad_model_folder_is_a_clear_error(tmp_path, cli, samples):
    from khabar.entities.model import ModelNER, ModelUnavailable

    with pytest.raises(ModelUnavailable, match="no config.json"):
        ModelNER(tmp_path)
    result = cli("extract", str(samples / "amp-baghdad.html"), "--ner-model", str(tmp_path / "missing"))
    assert result.exit_code == 2 and "not a folder" in result.output


def test_folder_without_a_usable_model_is_a_usage_error(tmp_path, cli, samples):
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    result = cli("extract", str(samples / "amp-baghdad.html"), "--ner-model", str(tmp_path))
    assert result.exit_code == 2 and "cannot load the model" in result.output
