"""Video-conference readiness checklists (phiếu kiểm tra sẵn sàng điểm cầu HNTH).

model: items, answers, verdict rules · templates: shipped/province/local templates and
file import · runs: a check before a meeting, closing, corrections, incidents · history: lists with
verdicts, next meeting, countdown and reminder ·
equipment: the room's devices · sheet: the printed PDF.
"""
